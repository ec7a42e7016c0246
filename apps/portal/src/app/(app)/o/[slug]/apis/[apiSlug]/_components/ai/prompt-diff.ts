/** The prompt fields a reader compares, in the order the form shows them. */
const FIELDS = [
  ['system', 'System template'],
  ['user', 'User template'],
  ['model', 'Model'],
  ['temperature', 'Temperature'],
  ['maxTokens', 'Max tokens'],
  ['inputSchema', 'Input schema'],
  ['outputSchema', 'Output schema'],
  ['routes', 'Routes'],
  ['logging', 'Logging'],
] as const;

export interface FieldDiff {
  field: string;
  label: string;
  version: string;
  working: string;
}

const show = (value: unknown): string =>
  value === undefined ? '(not set)' : typeof value === 'string' ? value : JSON.stringify(value, null, 2);

/** The fields where a published version and the working copy differ (none: they are the same prompt). */
export function promptDiff(version: unknown, working: unknown): FieldDiff[] {
  const a = (version ?? {}) as Record<string, unknown>;
  const b = (working ?? {}) as Record<string, unknown>;
  return FIELDS.flatMap(([field, label]) => {
    const [left, right] = [show(a[field]), show(b[field])];
    return left === right ? [] : [{ field, label, version: left, working: right }];
  });
}
