import { Counter, Histogram } from 'prom-client';
import { metricsRegistry } from '../ops/metrics.ts';
import type { FinishedCall } from './calls.ts';
import type { AiRequest } from './context.ts';

/*
 * Prometheus metrics of AI traffic. Labels stay bounded whatever callers send or tenants create: `api`
 * is the API's id for the first MAX_AI_APIS AI APIs this process serves and `other` after them, `model`
 * the route name the call was served under (a name from the API's route table, at most 200, never a
 * name a caller made up), `provider` the adapter id of the target.
 */

/** AI APIs with their own `api` label value per process; later ones count as `other`. */
const MAX_AI_APIS = 500;
const labelledApis = new Set<string>();

function apiLabel(apiId: string): string {
  if (labelledApis.has(apiId)) return apiId;
  if (labelledApis.size >= MAX_AI_APIS) return 'other';
  labelledApis.add(apiId);
  return apiId;
}

const LABELS = ['api', 'model', 'provider'] as const;
/** for calls that reached no provider (cache hits, refusals before routing) */
const NO_PROVIDER = 'none';

const tokens = new Counter({
  name: 'gateway_ai_tokens_total',
  help: 'Tokens of AI calls, by direction (in: prompt, out: completion).',
  labelNames: [...LABELS, 'direction'] as const,
  registers: [metricsRegistry],
});

const cost = new Counter({
  name: 'gateway_ai_cost_usd_total',
  help: "Cost of AI calls in USD, at the tenant's price table.",
  labelNames: LABELS,
  registers: [metricsRegistry],
});

const calls = new Counter({
  name: 'gateway_ai_calls_total',
  help: 'AI calls by the status the caller got (499: the client went away during a stream).',
  labelNames: [...LABELS, 'status'] as const,
  registers: [metricsRegistry],
});

const duration = new Histogram({
  name: 'gateway_ai_call_duration_seconds',
  help: 'AI calls from the request to the end of the answer (streams: the last chunk).',
  labelNames: LABELS,
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 40, 80, 160],
  registers: [metricsRegistry],
});

const ttft = new Histogram({
  name: 'gateway_ai_time_to_first_token_seconds',
  help: "Streamed AI calls: from the provider call to the first token (the provider's own TTFT).",
  labelNames: LABELS,
  buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20],
  registers: [metricsRegistry],
});

const fallbacks = new Counter({
  name: 'gateway_ai_fallbacks_total',
  help:
    'AI call attempts beyond the first: provider is the target that failed, reason why ' +
    '(rate_limited, server_error, timeout, connect, misconfigured, stream).',
  labelNames: [...LABELS, 'reason'] as const,
  registers: [metricsRegistry],
});

/** The route name as a label: only names of the API's route table (else "unknown"). */
function modelLabel(ctx: AiRequest, model: string): string {
  const ai = ctx.route.ai;
  const routes = ai?.kind === 'AI' ? ai.gateway.routes : ai?.kind === 'PROMPT' ? ai.prompt.routes : [];
  return routes.some((r) => r.name === model) ? model : 'unknown';
}

/** Records one finished call (service.ts `finish`); `durationMs` from the request's start. */
export function recordAiCall(ctx: AiRequest, call: FinishedCall, durationMs: number): void {
  const labels = {
    api: apiLabel(ctx.route.apiId),
    model: modelLabel(ctx, call.model),
    provider: call.target?.provider.id ?? NO_PROVIDER,
  };
  calls.inc({ ...labels, status: String(call.status) });
  duration.observe(labels, durationMs / 1000);
  if (call.ttftMs !== null) ttft.observe(labels, call.ttftMs / 1000);
  if (call.usage) {
    if (call.usage.promptTokens > 0) tokens.inc({ ...labels, direction: 'in' }, call.usage.promptTokens);
    if (call.usage.completionTokens > 0)
      tokens.inc({ ...labels, direction: 'out' }, call.usage.completionTokens);
  }
  // micro-USD to USD: exact enough for a float counter (a sum over many calls is read, not billed)
  if (call.costMicros > 0n) cost.inc(labels, Number(call.costMicros) / 1e6);
}

/** Records that a call falls back after an attempt at `provider` failed for `reason` (routing.ts). */
export function recordFallback(apiId: string, model: string, provider: string, reason: string): void {
  fallbacks.inc({ api: apiLabel(apiId), model, provider, reason });
}
