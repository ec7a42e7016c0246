import { callModerations, type ModerationsOutcome } from '@portcullis/ai/moderations';
import { sendJson } from '@portcullis/ai/respond';
import type { TokenUsage } from '@portcullis/ai/types';
import type { AiGatewayConfig, ModelPrice } from '@portcullis/core/ai-config';
import { type AiCalls, findRoute, providerCallSignal } from '../calls.ts';
import type { AiOutcome, AiRequest } from '../context.ts';
import { type AiFailure, aiFailure, failureCode, failureFromCall } from '../errors.ts';
import { routeCall } from '../routing.ts';

/*
 * POST /v1/moderations on an AI API: OpenAI's moderation endpoint through the model route the caller
 * names (OpenAI and OpenAI-compatible targets; other providers answer 400 unsupported_operation).
 */

const NO_TOKENS: TokenUsage = { promptTokens: 0, completionTokens: 0, totalTokens: 0, estimated: false };
const MAX_INPUTS = 100;

/**
 * What a moderation call costs the tenant's consumer, in micro-USD. Moderations are priced per call, not
 * per token: until the price table carries per-call prices, a call costs 0 (and meters no tokens).
 */
function moderationCost(_price: ModelPrice | undefined): bigint {
  return 0n;
}

function parseModerationRequest(body: unknown): { model: string; input: unknown } | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return 'The body must be a JSON object.';
  const { model, input } = body as { model?: unknown; input?: unknown };
  if (typeof model !== 'string' || model.trim() === '') return "'model' is required (a model route's name).";
  if (typeof input === 'string') return { model, input };
  if (Array.isArray(input) && input.length > 0 && input.length <= MAX_INPUTS) return { model, input };
  return `'input' must be a string or a list of 1 to ${MAX_INPUTS} inputs.`;
}

export async function serveModerations(
  ai: AiCalls,
  ctx: AiRequest,
  config: AiGatewayConfig,
  body: unknown,
  requestText: string,
  fail: (failure: AiFailure) => AiOutcome,
): Promise<AiOutcome> {
  const parsed = parseModerationRequest(body);
  if (typeof parsed === 'string') return fail(aiFailure(400, 'invalid_request_error', parsed));
  const route = findRoute(config.routes, parsed.model);
  if (!route) {
    return fail(
      aiFailure(
        404,
        'model_not_found',
        `The model '${parsed.model}' does not exist or you do not have access to it.`,
        {
          param: 'model',
        },
      ),
    );
  }
  const refused = await ai.checkBudgets(ctx);
  if (refused) return fail(refused);
  const signal = providerCallSignal();
  const routed = await routeCall<ModerationsOutcome>(
    route,
    ctx.route.orgId,
    ai.credentials,
    signal,
    (target, timeoutMs) =>
      callModerations({
        provider: target.provider,
        credential: target.credential,
        model: target.model,
        input: parsed.input,
        signal,
        timeoutMs,
        dispatcher: ai.dispatcherFor(target.orgId),
        traceHeaders: ctx.traceHeaders,
      }),
  );
  const base = {
    surface: 'moderations' as const,
    model: parsed.model,
    stream: false,
    ttftMs: null,
    requestText,
  };
  if (!routed.outcome.ok) {
    const failure = failureFromCall(routed.outcome.error);
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
  const price = routed.target ? await ai.priceOf(ctx, routed.target) : undefined;
  const cost = moderationCost(price);
  ai.meter(ctx, NO_TOKENS, cost);
  const response = { ...routed.outcome.value.response, model: parsed.model };
  sendJson(ctx.res, 200, response, { ...ctx.limitHeaders, 'x-request-id': ctx.requestId });
  ai.finish(ctx, config.logging, {
    ...base,
    status: 200,
    errorCode: null,
    target: routed.target,
    attempts: routed.attempts,
    usage: NO_TOKENS,
    costMicros: cost,
    responseText: JSON.stringify(response),
  });
  return { status: 200, errorCode: null, upstreamMs: Math.round(routed.outcome.value.latencyMs) };
}
