import type { AiCallError } from '@portcullis/ai/errors';
import type { TokenUsage } from '@portcullis/ai/types';
import type { AiGatewayConfig, ModelRoute } from '@portcullis/core/ai-config';
import type { Units } from '@portcullis/core/ai-unit-costs';
import { ok, type Result } from '../result.ts';
import { AttemptBudget } from './attempt-budget.ts';
import type { AiCalls, CallWorstCase, FinishedCall, ReservedCall } from './calls.ts';
import type { AiOutcome, AiRequest } from './context.ts';
import { type AiFailure, failureCode, failureFromCall } from './errors.ts';

/* Pieces the /v1 surfaces (chat, messages, responses, embeddings, images, audio, moderations) share. */

export type CallBase = Omit<
  FinishedCall,
  'status' | 'errorCode' | 'target' | 'attempts' | 'usage' | 'costMicros'
>;

/** Runs `serve` holding `reservation`; a throw releases it (a no-op once finish() settled it). */
export async function holding(
  reservation: ReservedCall,
  serve: () => Promise<AiOutcome>,
): Promise<AiOutcome> {
  try {
    return await serve();
  } catch (error) {
    reservation.release();
    throw error;
  }
}

/**
 * Holds the call's worst case on the plan's limits for its first attempt, or gives back the refusal
 * (429) for the surface to answer in its own shape. Attempts given up on stay counted; a fallback after
 * one reserves the same worst case again before it is sent.
 */
export async function reserveAttempts(
  ai: AiCalls,
  ctx: AiRequest,
  worst: CallWorstCase,
): Promise<Result<AttemptBudget, AiFailure>> {
  const reserved = await ai.reserve(ctx, worst);
  if (!reserved.ok) return reserved;
  return ok(new AttemptBudget(reserved.value, () => ai.reserve(ctx, worst)));
}

/**
 * A surface's call site: reserves `worst` (a refusal answered by `fail`, in the surface's shape) and
 * runs `serve` holding the reservation across its attempts until finish() settles or releases it.
 */
export async function serveReserved(
  ai: AiCalls,
  ctx: AiRequest,
  worst: CallWorstCase,
  fail: (failure: AiFailure) => AiOutcome,
  serve: (reservation: AttemptBudget) => Promise<AiOutcome>,
): Promise<AiOutcome> {
  const reserved = await reserveAttempts(ai, ctx, worst);
  if (!reserved.ok) return fail(reserved.error);
  const reservation = reserved.value;
  return holding(reservation, () => serve(reservation));
}

/**
 * The worst case of a call priced per unit (images, seconds of audio, one call): its units at the
 * route's dearest unit price and any input tokens; no output tokens are held (reported ones are settled).
 */
export const perUnitWorstCase = (
  route: ModelRoute,
  units: Units,
  inputTokens: CallWorstCase['inputTokens'] = 0,
): CallWorstCase => ({ route, inputTokens, maxOutputTokens: 0, units });

export const outcome = (
  status: number,
  errorCode: string | null,
  upstreamMs: number | null = null,
): AiOutcome => ({
  status,
  errorCode,
  upstreamMs,
});

/** The model whose tokenizer counts a route's input: its first target's. */
export const tokenizerModel = (route: ModelRoute, fallback: string): string =>
  route.targets[0]?.model ?? fallback;

/** What the provider billed for a call that failed: metered and settled although no answer came back. */
export interface BilledUsage {
  usage: TokenUsage;
  costMicros: bigint;
}

/**
 * Every attempt failed: the caller gets the last provider error, the call log its row. What the attempts
 * were billed for even so (`billed`, a split call's answered requests) is metered and settled; without
 * it the reservation is released.
 */
export function failedCall(
  ai: AiCalls,
  ctx: AiRequest,
  config: AiGatewayConfig,
  fail: (failure: AiFailure) => AiOutcome,
  base: CallBase,
  routed: { target: FinishedCall['target']; attempts: number },
  error: AiCallError,
  billed: BilledUsage | null = null,
): AiOutcome {
  const failure = failureFromCall(error);
  if (billed) ai.meter(ctx, billed.usage, billed.costMicros);
  const failed = fail(failure);
  ai.finish(ctx, config.logging, {
    ...base,
    status: failure.status,
    errorCode: failureCode(failure),
    target: routed.target,
    attempts: routed.attempts,
    usage: billed?.usage ?? null,
    costMicros: billed?.costMicros ?? 0n,
  });
  return failed;
}
