/** "80, 100" → [80, 100]; null when a part is not a whole number (the server checks the range). */
export function parseThresholds(text: string): number[] | null {
  const parts = text
    .split(/[\s,;%]+/)
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length === 0) return null;
  const values = parts.map((p) => (/^\d{1,6}$/.test(p) ? Number(p) : Number.NaN));
  return values.some(Number.isNaN) ? null : values;
}

/** "1000000" or "1,000,000" → 1000000; null when not a whole number. */
export function parseCount(text: string): number | null {
  const plain = text.replace(/[,\s_]/g, '');
  return /^\d{1,13}$/.test(plain) ? Number(plain) : null;
}

type AlertDraft =
  | { kind: 'SUBSCRIPTION_QUOTA' | 'SUBSCRIPTION_AI_BUDGET'; subscriptionId: string; thresholds: number[] }
  | { kind: 'API_REQUESTS'; apiId: string; target: number; thresholds: number[] };

/**
 * The form's text read into what the server takes, or the messages for the fields that are wrong. A
 * request target is only asked of API alerts.
 */
export function readAlertForm(form: {
  kind: AlertDraft['kind'];
  subjectId: string;
  target: string;
  thresholds: string;
}): { draft: AlertDraft; errors: null } | { draft: null; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const thresholds = parseThresholds(form.thresholds);
  if (!thresholds) errors.thresholds = 'Enter whole percentages, like 80, 100';
  const target = form.kind === 'API_REQUESTS' ? parseCount(form.target) : null;
  if (form.kind === 'API_REQUESTS' && !target) errors.target = 'Enter a number of requests, like 1,000,000';
  if (!thresholds || Object.keys(errors).length > 0) return { draft: null, errors };
  if (form.kind !== 'API_REQUESTS') {
    return { draft: { kind: form.kind, subscriptionId: form.subjectId, thresholds }, errors: null };
  }
  return { draft: { kind: form.kind, apiId: form.subjectId, target: target ?? 0, thresholds }, errors: null };
}
