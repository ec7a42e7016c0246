import { callModerations, type ModerationsOutcome } from '@portcullis/ai/moderations';
import { sendJson } from '@portcullis/ai/respond';
import type { TokenUsage } from '@portcullis/ai/types';
import type { AiGatewayConfig, ModelRoute } from '@portcullis/core/ai-config';
import { perCallCost } from '@portcullis/core/ai-unit-costs';
import type { AttemptBudget } from '../attempt-budget.ts';
import { type AiCalls, findRoute, providerCallSignal } from '../calls.ts';
import type { AiOutcome, AiRequest } from '../context.ts';
import { type AiFailure, aiFailure, modelNotFound } from '../errors.ts';
import { routeCall } from '../routing.ts';
import { type CallBase, failedCall, perUnitWorstCase, serveReserved } from '../surface-calls.ts';

/*
 * POST /v1/moderations on an AI API: OpenAI's moderation endpoint through the model route the caller
 * names (OpenAI and OpenAI-compatible targets; other providers answer 400 unsupported_operation). A call
 * is priced per call (the price row's perCall, no tokens); one call is held on the plan's budgets before
 * the provider is called and settled by finish().
 */

const NO_TOKENS: TokenUsage = { promptTokens: 0, completionTokens: 0, totalTokens: 0, estimated: false };
const MAX_INPUTS = 100;

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
  if (!route) return fail(modelNotFound(parsed.model));
  // No tokens are charged for moderation: the worst case is the one call at the route's dearest perCall.
  const worst = perUnitWorstCase(route, { calls: 1 });
  return serveReserved(ai, ctx, worst, fail, (reservation) =>
    moderateCall(ai, ctx, config, { route, parsed, requestText, reservation }, fail),
  );
}

interface ModerationCall {
  route: ModelRoute;
  parsed: { model: string; input: unknown };
  requestText: string;
  reservation: AttemptBudget;
}

async function moderateCall(
  ai: AiCalls,
  ctx: AiRequest,
  config: AiGatewayConfig,
  { route, parsed, requestText, reservation }: ModerationCall,
  fail: (failure: AiFailure) => AiOutcome,
): Promise<AiOutcome> {
  const signal = providerCallSignal();
  const routed = await routeCall<ModerationsOutcome>(
    route,
    ctx,
    ai,
    signal,
    {
      operation: 'moderation',
      call: (target, timeoutMs, traceHeaders) =>
        callModerations({
          provider: target.provider,
          credential: target.credential,
          model: target.model,
          input: parsed.input,
          signal,
          timeoutMs,
          dispatcher: ai.dispatcherFor(target.orgId),
          traceHeaders,
        }),
      settled: (value) => ({ tokens: 0, response: { model: value.response.model } }),
    },
    reservation.hooks,
  );
  const base: CallBase = {
    surface: 'moderations',
    model: parsed.model,
    stream: false,
    ttftMs: null,
    requestText,
    reservation,
  };
  if (!routed.outcome.ok) return failedCall(ai, ctx, config, fail, base, routed, routed.outcome.error);
  const price = routed.target ? await ai.priceOf(ctx, routed.target) : undefined;
  const cost = perCallCost(price);
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
