import type { GuardrailDecision } from '@portcullis/ai/guardrails/text-rules';
import { Counter } from 'prom-client';
import { metricsRegistry } from '../../ops/metrics.ts';

const decisionsTotal = new Counter({
  name: 'portcullis_ai_guardrail_decisions_total',
  help: 'Guardrail decisions on AI calls: blocks, redactions, flagged-but-allowed, checks that could not run',
  labelNames: ['api', 'rule_type', 'action'] as const,
  registers: [metricsRegistry],
});

/**
 * Counts each decision of one call under the API's id: stable across renames and custom hosts, and
 * bounded by the APIs that configure guardrails (callers and rule names never become labels).
 */
export function countGuardrailDecisions(api: string, decisions: readonly GuardrailDecision[]): void {
  for (const decision of decisions) {
    decisionsTotal.inc({ api, rule_type: decision.type, action: decision.action });
  }
}
