import { type CompletionOutcome, callProvider, type StreamOutcome } from '@portcullis/ai/call';
import type { AiCallError } from '@portcullis/ai/errors';
import { openAIError } from '@portcullis/ai/errors';
import type { ChatCompletionRequest } from '@portcullis/ai/types';
import type { TraceHeaders } from '@portcullis/ai/upstream';
import type { ModelRoute, RouteTarget } from '@portcullis/core/ai-config';
import type { Dispatcher } from 'undici';
import type { AiCredentials, ResolvedTarget } from './credentials.ts';

/*
 * Model routing: a route's targets in weighted-random order (weight 0 = fallback only), one attempt per
 * target with the route's per-attempt timeout, and fallback to the next on 429, 5xx, connect errors and
 * timeouts after a short backoff, up to maxAttempts calls in all.
 */

/** Weighted random order of the weighted targets (each pick removes one), then the weight-0 ones as listed. */
function targetOrder(targets: readonly RouteTarget[], random: () => number = Math.random): RouteTarget[] {
  const pool = targets.filter((t) => t.weight > 0);
  const order: RouteTarget[] = [];
  while (pool.length > 0) {
    const total = pool.reduce((sum, t) => sum + t.weight, 0);
    let pick = random() * total;
    let index = pool.findIndex((t) => {
      pick -= t.weight;
      return pick < 0;
    });
    if (index === -1) index = pool.length - 1;
    order.push(...pool.splice(index, 1));
  }
  return [...order, ...targets.filter((t) => t.weight === 0)];
}

const BACKOFF_BASE_MS = 25;
const BACKOFF_MAX_MS = 250;

const backoffMs = (failedAttempts: number): number =>
  Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (failedAttempts - 1));

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

export type CallOutcome<T> = { ok: true; value: T } | { ok: false; error: AiCallError };

export interface RoutedResult<T> {
  outcome: CallOutcome<T>;
  /** the target of the last attempt (the one that answered, or the last that failed) */
  target: ResolvedTarget | null;
  attempts: number;
}

/** A target that cannot even be called (credential missing or undecryptable): the next one may work. */
function unusableTarget(credentialId: string, reason: string): AiCallError {
  return {
    kind: 'unsupported',
    provider: 'gateway',
    status: 502,
    upstreamStatus: null,
    retryable: true,
    retryAfterMs: null,
    body: openAIError(
      `Model route target ${credentialId} is misconfigured: ${reason}.`,
      'server_error',
      null,
      'provider_unavailable',
    ),
  };
}

/** Whether another target may do better: provider overload/failure, never a client abort or bad request. */
const shouldFallBack = (error: AiCallError): boolean => error.retryable && error.kind !== 'aborted';

/**
 * An attempt the provider may bill although no answer came back: it was sent and then given up on
 * (timeout), or answered with something unreadable or broken off. A refused connection or an error
 * status is not billed.
 */
const mayHaveBilled = (error: AiCallError): boolean =>
  error.kind === 'timeout' || error.kind === 'invalid_response' || error.kind === 'stream_interrupted';

/** How the caller follows a routed call's attempts (its budget reservations, attempt-budget.ts). */
export interface AttemptHooks {
  /** An attempt failed in a way the provider may still bill (mayHaveBilled). */
  onAbandoned?: (error: AiCallError) => void;
  /** Before each fallback attempt: false stops routing, and the caller gets the last failure. */
  beforeRetry?: () => Promise<boolean>;
}

export async function routeCall<T>(
  route: ModelRoute,
  orgId: string,
  credentials: AiCredentials,
  signal: AbortSignal,
  attempt: (target: ResolvedTarget, timeoutMs: number) => Promise<CallOutcome<T>>,
  hooks: AttemptHooks = {},
): Promise<RoutedResult<T>> {
  const order = targetOrder(route.targets);
  let last: RoutedResult<T> | null = null;
  for (let n = 0; n < route.maxAttempts; n++) {
    if (n > 0) await sleep(backoffMs(n), signal);
    if (last && hooks.beforeRetry && !(await hooks.beforeRetry())) return last;
    const target = order[n % order.length] as RouteTarget;
    const resolved = await credentials.resolve(orgId, target);
    const outcome: CallOutcome<T> = resolved.ok
      ? await attempt(resolved.value, route.timeoutMs)
      : { ok: false, error: unusableTarget(target.credentialId, resolved.error) };
    last = { outcome, target: resolved.ok ? resolved.value : null, attempts: n + 1 };
    if (!outcome.ok && mayHaveBilled(outcome.error)) hooks.onAbandoned?.(outcome.error);
    if (outcome.ok || !shouldFallBack(outcome.error) || signal.aborted) return last;
  }
  return last as RoutedResult<T>;
}

/** A chat request over a model route: each attempt calls the target's provider through its org's dispatcher. */
export function routeChat(
  route: ModelRoute,
  orgId: string,
  services: { credentials: AiCredentials; dispatcherFor: (orgId: string) => Dispatcher },
  request: ChatCompletionRequest,
  signal: AbortSignal,
  traceHeaders?: TraceHeaders,
  hooks?: AttemptHooks,
): Promise<RoutedResult<CompletionOutcome | StreamOutcome>> {
  return routeCall<CompletionOutcome | StreamOutcome>(
    route,
    orgId,
    services.credentials,
    signal,
    (target, timeoutMs) =>
      callProvider({
        provider: target.provider,
        credential: target.credential,
        model: target.model,
        request,
        signal,
        timeoutMs,
        dispatcher: services.dispatcherFor(target.orgId),
        traceHeaders,
      }),
    hooks,
  );
}
