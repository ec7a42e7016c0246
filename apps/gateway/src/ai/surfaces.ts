import type { StreamOutcome } from '@portcullis/ai/call';
import { pipeAnthropicStream, pipeOpenAIStream, sendJson } from '@portcullis/ai/respond';
import { toTokenUsage } from '@portcullis/ai/stream-call';
import { anthropicToUnified, parseAnthropicRequest } from '@portcullis/ai/surfaces/anthropic/request';
import { unifiedToAnthropicMessage } from '@portcullis/ai/surfaces/anthropic/response';
import { countRequestTokens } from '@portcullis/ai/tokens';
import type { ChatCompletionRequest } from '@portcullis/ai/types';
import { parseChatRequest, parseJsonBody } from '@portcullis/ai/validate';
import type { AiGatewayConfig, ModelRoute } from '@portcullis/core/ai-config';
import { AiResponseCache } from './ai-response-cache.ts';
import type { AttemptBudget } from './attempt-budget.ts';
import { serveTranscription, TRANSCRIPTIONS_PATH } from './audio.ts';
import {
  type AiCalls,
  type CallWorstCase,
  type FinishedCall,
  findRoute,
  providerCallSignal,
  surfaceOf,
} from './calls.ts';
import type { AiOutcome, AiRequest } from './context.ts';
import {
  type AiFailure,
  aiFailure,
  failureCode,
  modelNotFound,
  type Surface,
  sendAiFailure,
} from './errors.ts';
import { blockFailure } from './guardrails/failures.ts';
import { GuardrailRun } from './guardrails/guard.ts';
import { serveModerations } from './guardrails/moderations-surface.ts';
import { guardStream } from './guardrails/stream.ts';
import { IMAGES_PATH, serveImages } from './images.ts';
import { MODELS_PATH, serveModels } from './models.ts';
import { serveResponses } from './responses.ts';
import { routeChat } from './routing.ts';
import { type CallBase, failedCall, outcome, serveReserved, tokenizerModel } from './surface-calls.ts';
import { embeddings } from './surface-embeddings.ts';

/*
 * The AI API's /v1 surface: POST chat/completions (streamed or not), POST embeddings, GET models (and
 * models/{id}), POST images/generations, POST audio/transcriptions, the Anthropic-compatible POST
 * messages, and OpenAI's Responses API (responses.ts). Each request names a model route; the call goes
 * through routing with fallback. Its worst case is reserved on the plan's budgets before the provider
 * call (budgets.ts), and its usage lands on the usage event, the budget counters (settling the
 * reservation) and the AI call log.
 */

export async function serveAiSurface(ai: AiCalls, ctx: AiRequest): Promise<AiOutcome> {
  const surface = surfaceOf(ctx.rest);
  const fail = (failure: AiFailure): AiOutcome => {
    sendAiFailure(ctx.res, surface, failure, ctx.requestId, ctx.limitHeaders);
    return outcome(failure.status, failureCode(failure));
  };
  const config = ctx.route.ai?.kind === 'AI' ? ctx.route.ai.gateway : null;
  if (!config) {
    const why = ctx.route.aiInvalid ?? 'no AI configuration';
    return fail(aiFailure(500, 'config_invalid', `This AI API's configuration is invalid: ${why}.`));
  }
  const method = ctx.req.method ?? 'GET';
  const rest = ctx.rest.endsWith('/') ? ctx.rest.slice(0, -1) : ctx.rest;
  if (rest === MODELS_PATH || rest.startsWith(`${MODELS_PATH}/`)) {
    return serveModels(ai, ctx, config, rest, fail);
  }
  if (rest === '/v1/responses' || rest.startsWith('/v1/responses/')) {
    return serveResponses(ai, ctx, config, rest, fail);
  }
  const known = [
    '/v1/chat/completions',
    '/v1/embeddings',
    '/v1/messages',
    '/v1/responses',
    IMAGES_PATH,
    TRANSCRIPTIONS_PATH,
    '/v1/moderations',
  ];
  if (!known.includes(rest)) {
    return fail(
      aiFailure(404, 'not_found', `Unknown path ${ctx.rest}; this API serves ${known.join(', ')}.`),
    );
  }
  if (method !== 'POST') return fail(aiFailure(405, 'method_not_allowed', `Use POST ${rest}.`));
  if (rest === TRANSCRIPTIONS_PATH) return serveTranscription(ai, ctx, config, fail);
  const text = await ai.readBody(ctx);
  if (!text.ok) return fail(text.error);
  const json = parseJsonBody(text.value);
  if (!json.ok) return fail({ status: 400, body: json.error });
  if (rest === IMAGES_PATH) return serveImages(ai, ctx, config, json.value, text.value, fail);
  if (rest === '/v1/embeddings') return embeddings(ai, ctx, config, json.value, text.value, fail);
  if (rest === '/v1/moderations') return serveModerations(ai, ctx, config, json.value, text.value, fail);
  return chat(ai, ctx, config, surface, json.value, text.value, fail);
}

async function chat(
  ai: AiCalls,
  ctx: AiRequest,
  config: AiGatewayConfig,
  surface: Surface,
  body: unknown,
  requestText: string,
  fail: (failure: AiFailure) => AiOutcome,
): Promise<AiOutcome> {
  let request: ChatCompletionRequest;
  let clientModel: string;
  if (surface === 'anthropic') {
    const parsed = parseAnthropicRequest(body);
    if (!parsed.ok) {
      sendJson(ctx.res, 400, parsed.error, { 'x-request-id': ctx.requestId });
      return outcome(400, 'invalid_request_error');
    }
    request = anthropicToUnified(parsed.value);
    clientModel = parsed.value.model;
  } else {
    const parsed = parseChatRequest(body);
    if (!parsed.ok) return fail({ status: 400, body: parsed.error });
    request = parsed.value;
    clientModel = request.model;
  }
  const route = findRoute(config.routes, clientModel);
  if (!route) return fail(modelNotFound(clientModel));
  const guard = new GuardrailRun(route.guardrails ?? config.guardrails, ai, ctx);
  const surfaceName = surface === 'anthropic' ? 'messages' : 'chat';
  // Checked before the provider is called and before anything is held on the plan's limits; a refusal
  // here is metered like the gateway's other refusals after admission: a request, no tokens, no cost.
  const input = await guard.checkInput(request);
  if (!input.ok) {
    const failure = blockFailure(input.block);
    const failed = fail(failure);
    ai.finish(ctx, config.logging, {
      surface: surfaceName,
      model: clientModel,
      stream: request.stream === true,
      ttftMs: null,
      requestText,
      reservation: null,
      guardrails: guard.decisions,
      status: failure.status,
      errorCode: failureCode(failure),
      target: null,
      attempts: 0,
      usage: null,
      costMicros: 0n,
    });
    return failed;
  }
  // the log keeps what the provider was sent, not what the guardrails took out
  const sentText = input.request === request ? requestText : JSON.stringify(input.request);
  request = input.request;
  const worst: CallWorstCase = {
    route,
    inputTokens: () => countRequestTokens(request, tokenizerModel(route, clientModel)),
    maxOutputTokens: request.max_completion_tokens ?? request.max_tokens ?? null,
    choices: request.n ?? 1,
  };
  return serveReserved(ai, ctx, worst, fail, (reservation) => {
    // The provider then cannot produce more than was reserved.
    if (reservation.maxTokens !== undefined) request.max_tokens = reservation.maxTokens;
    const base: CallBase = {
      surface: surfaceName,
      model: clientModel,
      stream: request.stream === true,
      ttftMs: null,
      requestText: sentText,
      reservation,
      guardrails: guard.decisions,
    };
    return callChat(
      ai,
      ctx,
      config,
      { surface, route, request, guard, cacheText: requestText },
      base,
      fail,
      reservation,
    );
  });
}

async function callChat(
  ai: AiCalls,
  ctx: AiRequest,
  config: AiGatewayConfig,
  { surface, route, request, guard, cacheText }: ChatCall,
  base: CallBase,
  fail: (failure: AiFailure) => AiOutcome,
  attempts: AttemptBudget,
): Promise<AiOutcome> {
  const streaming = base.stream;
  const headers = { ...ctx.limitHeaders, 'x-request-id': ctx.requestId };
  const cacheKey =
    route.cacheTtlSeconds > 0 && !streaming ? AiResponseCache.key(ctx.route.apiId, cacheText) : null;
  if (cacheKey) {
    const hit = await ai.responses.get(cacheKey);
    const checked = hit ? await guard.checkOutput(hit.completion) : null;
    if (checked && !checked.ok) {
      const failure = blockFailure(checked.block);
      const failed = fail(failure);
      ai.finish(ctx, config.logging, {
        ...base,
        status: failure.status,
        errorCode: failureCode(failure),
        target: null,
        attempts: 0,
        usage: null,
        costMicros: 0n,
      });
      return failed;
    }
    if (checked?.ok) {
      // A cache hit costs the provider nothing: no tokens or cost are metered for it.
      const completion = checked.completion;
      const answer =
        surface === 'anthropic'
          ? unifiedToAnthropicMessage(completion, toTokenUsage(completion.usage ?? NO_USAGE, false))
          : completion;
      const responseText = JSON.stringify(answer);
      sendJson(ctx.res, 200, answer, { ...headers, 'x-portcullis-cache': 'hit' });
      ai.finish(ctx, config.logging, {
        ...base,
        status: 200,
        errorCode: null,
        target: null,
        attempts: 0,
        usage: null,
        costMicros: 0n,
        responseText,
      });
      return outcome(200, null);
    }
  }

  const signal = providerCallSignal();
  const routed = await routeChat(route, ctx, ai, request, signal, attempts.hooks);
  const upstreamMs = Date.now() - ctx.startedAt;
  if (!routed.outcome.ok) return failedCall(ai, ctx, config, fail, base, routed, routed.outcome.error);
  const target = routed.target;
  const price = target ? await ai.priceOf(ctx, target) : undefined;
  const result = routed.outcome.value;
  if (result.kind === 'completion') {
    const cost = ai.cost(result.usage, price);
    ai.meter(ctx, result.usage, cost);
    const checked = await guard.checkOutput(result.completion);
    if (!checked.ok) {
      // the provider answered (and charged): the tokens are metered, the answer withheld
      const failure = blockFailure(checked.block);
      const failed = fail(failure);
      ai.finish(ctx, config.logging, {
        ...base,
        status: failure.status,
        errorCode: failureCode(failure),
        target,
        attempts: routed.attempts,
        usage: result.usage,
        costMicros: cost,
        responseText: JSON.stringify(result.completion),
      });
      return failed;
    }
    const answer =
      surface === 'anthropic'
        ? unifiedToAnthropicMessage(checked.completion, result.usage)
        : checked.completion;
    const responseText = JSON.stringify(answer);
    sendJson(ctx.res, 200, answer, { ...headers, 'x-portcullis-cache': cacheKey ? 'miss' : 'off' });
    if (cacheKey && target) {
      void ai.responses.set(
        cacheKey,
        { completion: result.completion, provider: target.provider.id, providerModel: target.model },
        route.cacheTtlSeconds,
      );
    }
    ai.finish(ctx, config.logging, {
      ...base,
      status: 200,
      errorCode: null,
      target,
      attempts: routed.attempts,
      usage: result.usage,
      costMicros: cost,
      responseText,
    });
    return outcome(200, null, upstreamMs);
  }
  const guarded = { ...result, stream: guardStream(result.stream, guard) };
  return pipeStream(ai, ctx, config, surface, guarded, price, base, headers, routed);
}

/** What the chat call sends and how its answer is checked. */
interface ChatCall {
  surface: Surface;
  route: ModelRoute;
  request: ChatCompletionRequest;
  guard: GuardrailRun;
  /** the request as the caller sent it: the response cache's key */
  cacheText: string;
}

async function pipeStream(
  ai: AiCalls,
  ctx: AiRequest,
  config: AiGatewayConfig,
  surface: Surface,
  result: StreamOutcome,
  price: Awaited<ReturnType<AiCalls['priceOf']>>,
  base: CallBase,
  headers: Record<string, string>,
  routed: { target: FinishedCall['target']; attempts: number },
): Promise<AiOutcome> {
  const { stream } = result;
  let cost = 0n;
  let text = '';
  // Registered before the pipe awaits `final` too, so this runs first: the usage event has its tokens
  // before the pipe writes the last frame and calls end().
  void stream.final.then((final) => {
    cost = ai.cost(final.usage, price);
    ai.meter(ctx, final.usage, cost);
  });
  const logBodies = config.logging.logBodies;
  const chunks = logBodies
    ? (async function* () {
        for await (const chunk of stream.chunks) {
          for (const choice of chunk.choices) if (choice.delta.content) text += choice.delta.content;
          yield chunk;
        }
      })()
    : stream.chunks;
  const piped = { ...stream, chunks };
  const final =
    surface === 'anthropic'
      ? await pipeAnthropicStream(ctx.res, piped, base.model, headers)
      : await pipeOpenAIStream(ctx.res, piped, headers);
  const errorCode = final.error ? (final.error.body.error.code ?? final.error.kind) : null;
  const status = final.error?.kind === 'aborted' ? 499 : 200;
  ai.finish(ctx, config.logging, {
    ...base,
    status,
    errorCode,
    target: routed.target,
    attempts: routed.attempts,
    usage: final.usage,
    costMicros: cost,
    ttftMs: final.timeToFirstTokenMs,
    responseText: logBodies ? text : undefined,
  });
  return outcome(
    200,
    errorCode,
    final.timeToFirstTokenMs === null ? null : Math.round(final.timeToFirstTokenMs),
  );
}

const NO_USAGE = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
