import type { AiCallError } from '@portcullis/ai/errors';
import type { AiGatewayConfig, ModelRoute } from '@portcullis/core/ai-config';
import type { AiCalls, FinishedCall, ReservedCall } from './calls.ts';
import type { AiOutcome, AiRequest } from './context.ts';
import { type AiFailure, aiFailure, failureCode, failureFromCall } from './errors.ts';

/* Pieces the /v1 surfaces (surfaces.ts, surface-embeddings.ts) share. */

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

export const outcome = (
  status: number,
  errorCode: string | null,
  upstreamMs: number | null = null,
): AiOutcome => ({
  status,
  errorCode,
  upstreamMs,
});

export const modelNotFound = (name: string): AiFailure =>
  aiFailure(404, 'model_not_found', `The model '${name}' does not exist or you do not have access to it.`, {
    param: 'model',
  });

/** The model whose tokenizer counts a route's input: its first target's. */
export const tokenizerModel = (route: ModelRoute, fallback: string): string =>
  route.targets[0]?.model ?? fallback;

/** Every attempt failed: the caller gets the last provider error, the call log its row. */
export function failedCall(
  ai: AiCalls,
  ctx: AiRequest,
  config: AiGatewayConfig,
  fail: (failure: AiFailure) => AiOutcome,
  base: CallBase,
  routed: { target: FinishedCall['target']; attempts: number },
  error: AiCallError,
): AiOutcome {
  const failure = failureFromCall(error);
  const failed = fail(failure);
  ai.finish(ctx, config.logging, {
    ...base,
    status: failure.status,
    errorCode: failureCode(failure),
    target: routed.target,
    attempts: routed.attempts,
    usage: null,
    costMicros: 0n,
  });
  return failed;
}
