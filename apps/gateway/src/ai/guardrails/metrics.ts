import type { GuardrailDecision } from '@portcullis/ai/guardrails/text-rules';
import { Counter } from 'prom-client';
import { metricsRegistry } from '../../ops/metrics.ts';

const decisionsTotal = new Counter({
  name: 'portcullis_ai_guardrail_decisions_total',
  help: 'Guardrail decisions on AI calls: blocks, redactions, flagged-but-allowed, checks that could not run',
  labelNames: ['api', 'rule_type', 'action'] as const,
  registers: [metricsRegistry],
});

/** Counts each decision of one call under the API's id (bounded: tenants' APIs, not callers). */
export function countGuardrailDecisions(apiId: string, decisions: readonly GuardrailDecision[]): void {
  for (const decision of decisions) {
    decisionsTotal.inc({ api: apiId, rule_type: decision.type, action: decision.action });
  }
}
