import { type CompletionOutcome, callProvider, type StreamOutcome } from '@portcullis/ai/call';
import type { AiCallError } from '@portcullis/ai/errors';
import { errorTypeForStatus, openAIError } from '@portcullis/ai/errors';
import type { ChatCompletionRequest } from '@portcullis/ai/types';
import type { TraceHeaders } from '@portcullis/ai/upstream';
import type { ModelRoute, RouteTarget } from '@portcullis/core/ai-config';
import type { Dispatcher } from 'undici';
import {
  type GenAiOperation,
  type GenAiRequestParams,
  type GenAiResponse,
  genAiErrorType,
  genAiRequestAttributes,
  genAiResponseAttributes,
  genAiSpanName,
} from '../tracing/genai.ts';
import { upstreamTraceHeaders } from '../tracing/propagation.ts';
import type { AiRequest } from './context.ts';
import type { AiCredentials, ResolvedTarget } from './credentials.ts';
import { recordFallback } from './metrics.ts';
import { orderTargets, withoutCoolingDown } from './routing-order.ts';
import { TargetStats, targetKey } from './routing-stats.ts';
import type { RouteUsageStore, UsageCandidate } from './routing-usage.ts';

/*
 * Model routing: a route's targets in the order of its strategy (routing-order.ts), targets cooling down
 * after repeated failures left out (routing-stats.ts), one attempt per target with the route's
 * per-attempt timeout, and fallback to the next on 429, 5xx, connect errors and timeouts after a short
 * backoff, up to maxAttempts calls in all. Usage-based routes pick each attempt's target against shared
 * per-minute counters (routing-usage.ts). Each attempt is one GenAI client span when tracing is on.
 */

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

/** What routing needs of the request: its API (org, id), its trace, and the client's trace headers. */
export type RoutedRequest = Pick<AiRequest, 'route' | 'req' | 'trace' | 'traceHeaders'>;

/** What a completed answer reports (a stream: at its end), for spans and usage counters. */
interface AttemptReport {
  tokens: number;
  response: GenAiResponse;
  /** a stream that broke or was cancelled after it started */
  error?: Pick<AiCallError, 'kind' | 'upstreamStatus'> | null;
}

/** One kind of provider call made through a route. */
export interface RoutedAttempt<T> {
  operation: GenAiOperation;
  params?: GenAiRequestParams;
  call(
    target: ResolvedTarget,
    timeoutMs: number,
    traceHeaders: TraceHeaders | undefined,
  ): Promise<CallOutcome<T>>;
  /** Resolves once the answer is complete (at once for a whole answer, at a stream's end). */
  settled(value: T): AttemptReport | Promise<AttemptReport>;
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

/** Every target of a usage-based route is at its per-minute limit: refused without a provider call. */
function allTargetsAtLimit(routeName: string, retryAfterMs: number): AiCallError {
  return {
    kind: 'upstream',
    provider: 'gateway',
    status: 429,
    upstreamStatus: null,
    retryable: false,
    retryAfterMs: Math.max(1000, retryAfterMs),
    body: openAIError(
      `Every target of the model '${routeName}' is at its requests or tokens per minute limit; retry after the minute ends.`,
      errorTypeForStatus(429).type,
      null,
      'rate_limit_exceeded',
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
export const mayHaveBilled = (error: AiCallError): boolean =>
  error.kind === 'timeout' || error.kind === 'invalid_response' || error.kind === 'stream_interrupted';

/** How the caller follows a routed call's attempts (its budget reservations, attempt-budget.ts). */
export interface AttemptHooks {
  /** An attempt failed in a way the provider may still bill (mayHaveBilled). */
  onAbandoned?: (error: AiCallError) => void;
  /** Before each fallback attempt: false stops routing, and the caller gets the last failure. */
  beforeRetry?: () => Promise<boolean>;
}

/** The fallbacks metric's reason for an attempt that failed with `error`. */
function fallbackReason(error: AiCallError): string {
  if (error.provider === 'gateway' && error.kind === 'unsupported') return 'misconfigured';
  if (error.kind === 'timeout' || error.kind === 'connect') return error.kind;
  if (error.status === 429 || error.upstreamStatus === 429) return 'rate_limited';
  if (error.kind === 'stream_interrupted' || error.kind === 'invalid_response') return 'stream';
  return 'server_error';
}

export interface AiRoutingOptions {
  usage: RouteUsageStore;
  now?: () => number;
  random?: () => number;
  /** the shared usage counters failed: the pick falls back to the strategy's order, uncounted */
  onUsageError: (error: unknown) => void;
}

/** Routing state of this gateway process: target statistics and the (shared) usage counters. */
export class AiRouting {
  readonly stats: TargetStats;
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(private readonly options: AiRoutingOptions) {
    this.now = options.now ?? (() => performance.now());
    this.random = options.random ?? Math.random;
    this.stats = new TargetStats(options.now ?? Date.now);
  }

  async route<T>(
    route: ModelRoute,
    ctx: RoutedRequest,
    credentials: AiCredentials,
    signal: AbortSignal,
    attempt: RoutedAttempt<T>,
    hooks: AttemptHooks = {},
  ): Promise<RoutedResult<T>> {
    const orgId = ctx.route.orgId;
    const keyOf = (target: RouteTarget) => targetKey(orgId, target);
    const order = withoutCoolingDown(orderTargets(route, keyOf, this.stats, this.random), keyOf, this.stats);
    const usage = route.strategy === 'usage-based' ? new Map<RouteTarget, UsageCandidate>() : null;
    const tried = new Set<RouteTarget>();
    let last: RoutedResult<T> | null = null;
    for (let n = 0; n < route.maxAttempts; n++) {
      if (n > 0) await sleep(backoffMs(n), signal);
      if (last && hooks.beforeRetry && !(await hooks.beforeRetry())) return last;
      let target = order[n % order.length] as RouteTarget;
      if (usage) {
        const picked = await this.pickByUsage(orgId, order, tried, usage);
        if ('retryAfterMs' in picked) {
          return (
            last ?? {
              outcome: { ok: false, error: allTargetsAtLimit(route.name, picked.retryAfterMs) },
              target: null,
              attempts: 0,
            }
          );
        }
        target = picked.target;
      }
      tried.add(target);
      if (last && !last.outcome.ok) {
        const provider = last.target?.provider.id ?? 'none';
        recordFallback(ctx.route.apiId, route.name, provider, fallbackReason(last.outcome.error));
      }
      // In flight from the pick on: concurrent requests ordering targets meanwhile see it busy.
      const done = this.stats.started(keyOf(target));
      const resolved = await credentials.resolve(orgId, target);
      if (!resolved.ok) done();
      const outcome: CallOutcome<T> = resolved.ok
        ? await this.attemptOnce(route, ctx, resolved.value, keyOf(target), done, usage?.get(target), attempt)
        : { ok: false, error: unusableTarget(target.credentialId, resolved.error) };
      last = { outcome, target: resolved.ok ? resolved.value : null, attempts: n + 1 };
      if (!outcome.ok && mayHaveBilled(outcome.error)) hooks.onAbandoned?.(outcome.error);
      if (outcome.ok || !shouldFallBack(outcome.error) || signal.aborted) return last;
    }
    return last as RoutedResult<T>;
  }

  /**
   * Usage-based routing: the least used target under its limits among those not yet tried (all of them
   * again once each was tried), counted in the shared store. Fails open to the strategy's order.
   */
  private async pickByUsage(
    orgId: string,
    order: readonly RouteTarget[],
    tried: ReadonlySet<RouteTarget>,
    candidates: Map<RouteTarget, UsageCandidate>,
  ): Promise<{ target: RouteTarget } | { retryAfterMs: number }> {
    const untried = order.filter((t) => !tried.has(t));
    const pool = untried.length > 0 ? untried : [...order];
    const list = pool.map((t) => {
      let candidate = candidates.get(t);
      if (!candidate) {
        candidate = { key: targetKey(orgId, t), orgId, rpm: t.rpm, tpm: t.tpm, tier: t.weight > 0 ? 0 : 1 };
        candidates.set(t, candidate);
      }
      return candidate;
    });
    try {
      const picked = await this.options.usage.pick(list);
      if ('retryAfterMs' in picked) return picked;
      return { target: pool[picked.index] as RouteTarget };
    } catch (error) {
      this.options.onUsageError(error);
      return { target: pool[0] as RouteTarget };
    }
  }

  private async attemptOnce<T>(
    route: ModelRoute,
    ctx: RoutedRequest,
    target: ResolvedTarget,
    key: string,
    done: () => void,
    usage: UsageCandidate | undefined,
    attempt: RoutedAttempt<T>,
  ): Promise<CallOutcome<T>> {
    const span = ctx.trace?.clientSpan(
      genAiSpanName(attempt.operation, target.model),
      genAiRequestAttributes(attempt.operation, target.provider.id, target.model, attempt.params),
    );
    const traceHeaders = span ? upstreamTraceHeaders(ctx.req.headers, span.traceparent()) : ctx.traceHeaders;
    const startedAt = this.now();
    let outcome: CallOutcome<T>;
    try {
      outcome = await attempt.call(target, route.timeoutMs, traceHeaders);
    } catch (error) {
      done();
      span?.end('_OTHER');
      throw error;
    }
    if (!outcome.ok) {
      done();
      if (shouldFallBack(outcome.error)) {
        this.stats.failed(key, route, outcome.error.retryAfterMs);
        this.stats.observeLatency(key, route.timeoutMs);
      }
      span?.end(genAiErrorType(outcome.error));
      return outcome;
    }
    this.stats.succeeded(key, this.now() - startedAt);
    // A stream is in flight (and its span open) until its end; a whole answer settles at once.
    Promise.resolve(attempt.settled(outcome.value)).then(
      (report) => {
        done();
        if (usage && report.tokens > 0)
          this.options.usage.addTokens(usage, report.tokens).catch(this.options.onUsageError);
        span?.setAttributes(genAiResponseAttributes(report.response));
        span?.end(report.error ? genAiErrorType(report.error) : undefined);
      },
      () => {
        done();
        span?.end('_OTHER');
      },
    );
    return outcome;
  }
}

/** What routed calls need of the AI service. */
export interface RoutingServices {
  credentials: AiCredentials;
  routing: AiRouting;
  dispatcherFor: (orgId: string) => Dispatcher;
}

/** A call of any kind over a model route. */
export function routeCall<T>(
  route: ModelRoute,
  ctx: RoutedRequest,
  services: Pick<RoutingServices, 'credentials' | 'routing'>,
  signal: AbortSignal,
  attempt: RoutedAttempt<T>,
  hooks: AttemptHooks = {},
): Promise<RoutedResult<T>> {
  return services.routing.route(route, ctx, services.credentials, signal, attempt, hooks);
}

/** A chat request over a model route: each attempt calls the target's provider through its org's dispatcher. */
export function routeChat(
  route: ModelRoute,
  ctx: RoutedRequest,
  services: RoutingServices,
  request: ChatCompletionRequest,
  signal: AbortSignal,
  hooks?: AttemptHooks,
): Promise<RoutedResult<CompletionOutcome | StreamOutcome>> {
  return routeCall<CompletionOutcome | StreamOutcome>(
    route,
    ctx,
    services,
    signal,
    {
      operation: 'chat',
      params: request,
      call: (target, timeoutMs, traceHeaders) =>
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
      settled: chatReport,
    },
    hooks,
  );
}

function chatReport(value: CompletionOutcome | StreamOutcome): AttemptReport | Promise<AttemptReport> {
  if (value.kind === 'completion') {
    const { completion, usage } = value;
    return {
      tokens: usage.totalTokens,
      response: {
        id: completion.id,
        model: value.responseModel,
        finishReasons: completion.choices.flatMap((c) => (c.finish_reason ? [c.finish_reason] : [])),
        inputTokens: usage.promptTokens,
        outputTokens: usage.completionTokens,
      },
    };
  }
  return value.stream.final.then((final) => ({
    tokens: final.usage.totalTokens,
    response: {
      id: final.responseId ?? undefined,
      model: final.responseModel ?? undefined,
      finishReasons: final.finishReason ? [final.finishReason] : [],
      inputTokens: final.usage.promptTokens,
      outputTokens: final.usage.completionTokens,
    },
    error: final.error,
  }));
}
