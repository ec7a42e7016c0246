import type { GuardrailDecision } from '@portcullis/ai/guardrails/text-rules';
import { blockingCategories, callModerations } from '@portcullis/ai/moderations';
import type { GuardrailRule } from '@portcullis/core/ai-guardrails';
import type { AiCalls } from '../calls.ts';
import type { AiRequest } from '../context.ts';

type ModerationRule = Extract<GuardrailRule, { type: 'moderation' }>;

/** Moderation input is bounded: a provider refuses huge inputs, and the call should stay quick. */
const MAX_MODERATED_CHARS = 100_000;

/**
 * Runs one moderation rule: the tenant's credential and model, OpenAI's /moderations. Flagged in a
 * blocking category → block; flagged otherwise → recorded and let through. A failed call blocks only when
 * the rule fails closed; either way the failure is recorded.
 *
 * The rule's timeoutMs bounds the whole check, the credential lookup included, not only the provider
 * call: a stream holds its finish on this verdict, and a check that never settled would hold it for
 * good. Past the timeout the call is aborted and counts as failed, so the fail mode decides.
 */
export async function moderate(
  ai: AiCalls,
  ctx: AiRequest,
  rule: ModerationRule,
  stage: 'input' | 'output',
  text: string,
): Promise<GuardrailDecision | null> {
  if (text.trim() === '') return null;
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<GuardrailDecision>((resolve) => {
    timer = setTimeout(() => {
      abort.abort();
      resolve(unavailable(rule, stage, `no answer within ${rule.timeoutMs} ms`));
    }, rule.timeoutMs);
  });
  const checked = callRule(ai, ctx, rule, stage, text, abort.signal).catch(() =>
    unavailable(rule, stage, 'the check could not run'),
  );
  try {
    return await Promise.race([checked, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** One moderations call for the rule, and what its answer means under the rule's categories. */
async function callRule(
  ai: AiCalls,
  ctx: AiRequest,
  rule: ModerationRule,
  stage: 'input' | 'output',
  text: string,
  signal: AbortSignal,
): Promise<GuardrailDecision | null> {
  const target = await ai.credentials.resolve(ctx.route.orgId, {
    credentialId: rule.credentialId,
    model: rule.model,
    weight: 1,
  });
  if (!target.ok) return unavailable(rule, stage, target.error);
  const called = await callModerations({
    provider: target.value.provider,
    credential: target.value.credential,
    model: rule.model,
    input: text.slice(0, MAX_MODERATED_CHARS),
    signal,
    timeoutMs: rule.timeoutMs,
    dispatcher: ai.dispatcherFor(target.value.orgId),
  });
  if (!called.ok) return unavailable(rule, stage, called.error.body.error.message);
  const base = { rule: rule.name, type: rule.type, stage } as const;
  const verdict = blockingCategories(called.value.results, rule.categories);
  if (verdict.blocks) {
    return { ...base, action: 'block', detail: `flagged: ${verdict.blocking.join(', ') || 'content'}` };
  }
  if (verdict.anyFlagged) {
    return { ...base, action: 'flagged', detail: `flagged, allowed: ${verdict.flagged.join(', ')}` };
  }
  return null;
}

/** A check that could not run: a block when the rule fails closed, a recorded error when it fails open. */
function unavailable(rule: ModerationRule, stage: 'input' | 'output', why: string): GuardrailDecision {
  const closed = rule.failMode === 'closed';
  return {
    rule: rule.name,
    type: rule.type,
    stage,
    action: closed ? 'block' : 'error',
    detail: `moderation unavailable (${closed ? 'fail-closed' : 'fail-open'}): ${why}`,
  };
}
