import {
  callImages,
  type ImageGenerationRequest,
  type ImagesOutcome,
  parseImageRequest,
} from '@portcullis/ai/images';
import { sendJson } from '@portcullis/ai/respond';
import { countTextTokens } from '@portcullis/ai/tokens';
import type { AiGatewayConfig, ModelRoute } from '@portcullis/core/ai-config';
import { perImageCost } from '@portcullis/core/ai-unit-costs';
import type { AttemptBudget } from './attempt-budget.ts';
import { type AiCalls, findRoute, providerCallSignal } from './calls.ts';
import type { AiOutcome, AiRequest } from './context.ts';
import { type AiFailure, modelNotFound } from './errors.ts';
import { routeCall } from './routing.ts';
import {
  type CallBase,
  failedCall,
  perUnitWorstCase,
  serveReserved,
  tokenizerModel,
} from './surface-calls.ts';

export const IMAGES_PATH = '/v1/images/generations';

/**
 * POST /v1/images/generations over a model route: metered as n × perImage plus the tokens the provider
 * reports, on the usage event, the budgets and the AI call log (surface 'images').
 */
export async function serveImages(
  ai: AiCalls,
  ctx: AiRequest,
  config: AiGatewayConfig,
  body: unknown,
  requestText: string,
  fail: (failure: AiFailure) => AiOutcome,
): Promise<AiOutcome> {
  const parsed = parseImageRequest(body);
  if (!parsed.ok) return fail({ status: 400, body: parsed.error });
  const request = parsed.value;
  const route = findRoute(config.routes, request.model);
  if (!route) return fail(modelNotFound(request.model));
  // The worst case held on the plan's budgets: n images at the route's dearest perImage, and the
  // prompt's tokens (image output tokens are settled as reported), counted only when a limit applies.
  const worst = perUnitWorstCase(route, { images: request.n ?? 1 }, () =>
    countTextTokens(request.prompt, tokenizerModel(route, request.model)),
  );
  return serveReserved(ai, ctx, worst, fail, (reservation) =>
    generate(ai, ctx, config, route, request, requestText, reservation, fail),
  );
}

async function generate(
  ai: AiCalls,
  ctx: AiRequest,
  config: AiGatewayConfig,
  route: ModelRoute,
  request: ImageGenerationRequest,
  requestText: string,
  reservation: AttemptBudget,
  fail: (failure: AiFailure) => AiOutcome,
): Promise<AiOutcome> {
  const signal = providerCallSignal();
  const routed = await routeCall<ImagesOutcome>(
    route,
    ctx,
    ai,
    signal,
    {
      operation: 'image_generation',
      call: (target, timeoutMs, traceHeaders) =>
        callImages({
          provider: target.provider,
          credential: target.credential,
          model: target.model,
          request,
          signal,
          timeoutMs,
          dispatcher: ai.dispatcherFor(target.orgId),
          traceHeaders,
        }),
      settled: ({ usage }) => ({
        tokens: usage.totalTokens,
        response: { inputTokens: usage.promptTokens, outputTokens: usage.completionTokens },
      }),
    },
    reservation.hooks,
  );
  const base: CallBase = {
    surface: 'images',
    model: request.model,
    stream: false,
    ttftMs: null,
    requestText,
    reservation,
  };
  if (!routed.outcome.ok) return failedCall(ai, ctx, config, fail, base, routed, routed.outcome.error);
  const { usage, response, images, latencyMs } = routed.outcome.value;
  const price = routed.target ? await ai.priceOf(ctx, routed.target) : undefined;
  const cost = ai.cost(usage, price) + perImageCost(price, images);
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
    // images are not worth a log row; their count is
    responseText: `{"images":${images}}`,
  });
  return { status: 200, errorCode: null, upstreamMs: Math.round(latencyMs) };
}
