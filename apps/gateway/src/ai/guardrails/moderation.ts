import type { GuardrailDecision } from '@portcullis/ai/guardrails/text-rules';
import { blockingCategories, callModerations } from '@portcullis/ai/moderations';
import type { GuardrailRule } from '@portcullis/core/ai-guardrails';
import type { AiCalls } from '../calls.ts';
import { providerCallSignal } from '../calls.ts';
import type { AiRequest } from '../context.ts';

type ModerationRule = Extract<GuardrailRule, { type: 'moderation' }>;

/** Moderation input is bounded: a provider refuses huge inputs, and the call should stay quick. */
const MAX_MODERATED_CHARS = 100_000;

/**
 * Runs one moderation rule: the tenant's credential and model, OpenAI's /moderations. Flagged in a
 * blocking category → block; flagged otherwise → recorded and let through. A failed call blocks only when
 * the rule fails closed; either way the failure is recorded.
 */
export async function moderate(
  ai: AiCalls,
  ctx: AiRequest,
  rule: ModerationRule,
  stage: 'input' | 'output',
  text: string,
): Promise<GuardrailDecision | null> {
  if (text.trim() === '') return null;
  const base = { rule: rule.name, type: rule.type, stage } as const;
  const failed = (why: string): GuardrailDecision => ({
    ...base,
    action: rule.failMode === 'closed' ? 'block' : 'error',
    detail: `moderation unavailable (${rule.failMode === 'closed' ? 'fail-closed' : 'fail-open'}): ${why}`,
  });
  const target = await ai.credentials.resolve(ctx.route.orgId, {
    credentialId: rule.credentialId,
    model: rule.model,
    weight: 1,
  });
  if (!target.ok) return failed(target.error);
  const called = await callModerations({
    provider: target.value.provider,
    credential: target.value.credential,
    model: rule.model,
    input: text.slice(0, MAX_MODERATED_CHARS),
    signal: providerCallSignal(),
    timeoutMs: rule.timeoutMs,
    dispatcher: ai.dispatcherFor(target.value.orgId),
  });
  if (!called.ok) return failed(called.error.body.error.message);
  const verdict = blockingCategories(called.value.results, rule.categories);
  if (verdict.blocks) {
    return { ...base, action: 'block', detail: `flagged: ${verdict.blocking.join(', ') || 'content'}` };
  }
  if (verdict.anyFlagged) {
    return { ...base, action: 'flagged', detail: `flagged, allowed: ${verdict.flagged.join(', ')}` };
  }
  return null;
}
