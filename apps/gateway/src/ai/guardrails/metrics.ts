import type { GuardrailDecision } from '@portcullis/ai/guardrails/text-rules';
import { Counter } from 'prom-client';
import { metricsRegistry } from '../../ops/metrics.ts';

const decisionsTotal = new Counter({
  name: 'gateway_ai_guardrail_decisions_total',
  help: 'Guardrail decisions on AI calls by API id (first 50 APIs, then "other"), rule type and action',
  labelNames: ['api', 'rule_type', 'action'] as const,
  registers: [metricsRegistry],
});

/**
 * The label set stays bounded whatever the number of tenants (as every gateway metric's): the first
 * MAX_API_LABELS APIs with guardrail decisions get their own id, later ones count as `other`. Rule names
 * and callers never become labels; rule types and actions are fixed lists.
 */
const MAX_API_LABELS = 50;
const labelled = new Set<string>();

function apiLabel(apiId: string): string {
  if (labelled.has(apiId)) return apiId;
  if (labelled.size >= MAX_API_LABELS) return 'other';
  labelled.add(apiId);
  return apiId;
}

/** Counts each decision of one call. */
export function countGuardrailDecisions(apiId: string, decisions: readonly GuardrailDecision[]): void {
  const api = apiLabel(apiId);
  for (const decision of decisions)
    decisionsTotal.inc({ api, rule_type: decision.type, action: decision.action });
}
