import { callEmbeddings, type EmbeddingsOutcome } from '@portcullis/ai/embeddings';
import { sendJson } from '@portcullis/ai/respond';
import { countTextTokens } from '@portcullis/ai/tokens';
import type { EmbeddingRequest } from '@portcullis/ai/types';
import { parseEmbeddingRequest } from '@portcullis/ai/validate';
import type { AiGatewayConfig, ModelRoute } from '@portcullis/core/ai-config';
import type { AttemptBudget } from './attempt-budget.ts';
import { BilledAttempts } from './billed-attempts.ts';
import { type AiCalls, type CallWorstCase, findRoute, providerCallSignal } from './calls.ts';
import type { AiOutcome, AiRequest } from './context.ts';
import { type AiFailure, modelNotFound } from './errors.ts';
import { routeCall } from './routing.ts';
import { type CallBase, failedCall, outcome, serveReserved, tokenizerModel } from './surface-calls.ts';

/**
 * POST /v1/embeddings over a model route; its input is reserved on the plan's budgets first. A provider
 * that embeds a few texts per request (Bedrock, Vertex AI) splits the call; a failed request fails the
 * call, and what the requests answered before it were billed is metered (billed-attempts.ts). A retry or
 * fallback sends the whole input again, so a split call that fails part way is billed for its answered
 * requests once per attempt.
 */
export async function embeddings(
  ai: AiCalls,
  ctx: AiRequest,
  config: AiGatewayConfig,
  body: unknown,
  requestText: string,
  fail: (failure: AiFailure) => AiOutcome,
): Promise<AiOutcome> {
  const parsed = parseEmbeddingRequest(body);
  if (!parsed.ok) return fail({ status: 400, body: parsed.error });
  const request = parsed.value;
  const route = findRoute(config.routes, request.model);
  if (!route) return fail(modelNotFound(request.model));
  const worst: CallWorstCase = {
    route,
    inputTokens: () => embeddingInputTokens(request.input, tokenizerModel(route, request.model)),
    maxOutputTokens: 0,
  };
  return serveReserved(ai, ctx, worst, fail, (reservation) => {
    const base: CallBase = {
      surface: 'embeddings',
      model: request.model,
      stream: false,
      ttftMs: null,
      requestText,
      reservation,
    };
    return callEmbeddingsRoute(ai, ctx, config, route, request, base, fail, reservation);
  });
}

/** Input tokens of an embeddings request: texts counted, token-id arrays by their length. */
async function embeddingInputTokens(input: EmbeddingRequest['input'], model: string): Promise<number> {
  if (typeof input === 'string') return countTextTokens(input, model);
  let tokens = 0;
  for (const item of input) {
    if (typeof item === 'string') tokens += await countTextTokens(item, model);
    else tokens += Array.isArray(item) ? item.length : 1;
  }
  return tokens;
}

async function callEmbeddingsRoute(
  ai: AiCalls,
  ctx: AiRequest,
  config: AiGatewayConfig,
  route: ModelRoute,
  request: EmbeddingRequest,
  base: CallBase,
  fail: (failure: AiFailure) => AiOutcome,
  attempts: AttemptBudget,
): Promise<AiOutcome> {
  const signal = providerCallSignal();
  const billed = new BilledAttempts(ai, ctx, attempts);
  const routed = await routeCall<EmbeddingsOutcome>(
    route,
    ctx,
    ai,
    signal,
    {
      operation: 'embeddings',
      call: async (target, timeoutMs, traceHeaders) => {
        const called = await callEmbeddings({
          provider: target.provider,
          credential: target.credential,
          model: target.model,
          request,
          signal: signal,
          timeoutMs,
          dispatcher: ai.dispatcherFor(target.orgId),
          traceHeaders,
        });
        if (!called.ok) await billed.failed(target, called.error);
        return called;
      },
      settled: ({ usage }) => ({ tokens: usage.totalTokens, response: { inputTokens: usage.promptTokens } }),
    },
    attempts.hooks,
  );
  if (!routed.outcome.ok) {
    return failedCall(ai, ctx, config, fail, base, routed, routed.outcome.error, billed.billed);
  }
  const { response } = routed.outcome.value;
  const price = routed.target ? await ai.priceOf(ctx, routed.target) : undefined;
  const answered = routed.outcome.value.usage;
  const { usage, costMicros: cost } = billed.withAnswer(answered, ai.cost(answered, price));
  ai.meter(ctx, usage, cost);
  sendJson(ctx.res, 200, response, { ...ctx.limitHeaders, 'x-request-id': ctx.requestId });
  ai.finish(ctx, config.logging, {
    ...base,
    status: 200,
    errorCode: null,
    target: routed.target,
    attempts: routed.attempts,
    usage,
    costMicros: cost,
    // vectors are not worth a log row; the count is
    responseText: `{"object":"list","vectors":${response.data.length}}`,
  });
  return outcome(200, null, Math.round(routed.outcome.value.latencyMs));
}
