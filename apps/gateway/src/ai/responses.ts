import { sendJson } from '@portcullis/ai/respond';
import { pipeResponsesStream } from '@portcullis/ai/surfaces/responses/pipe';
import {
  inputItems,
  parseResponsesRequest,
  type ResponseInputItem,
  type ResponsesRequest,
  readStoredItems,
  responsesToUnified,
} from '@portcullis/ai/surfaces/responses/request';
import {
  completionToResponse,
  newResponseId,
  type ResponseObject,
  startResponse,
} from '@portcullis/ai/surfaces/responses/response';
import { countRequestTokens } from '@portcullis/ai/tokens';
import { type ChatCompletionRequest, nowSeconds } from '@portcullis/ai/types';
import { parseJsonBody } from '@portcullis/ai/validate';
import type { AiGatewayConfig, ModelRoute } from '@portcullis/core/ai-config';
import type { AttemptBudget } from './attempt-budget.ts';
import { type AiCalls, type CallWorstCase, findRoute, providerCallSignal } from './calls.ts';
import type { AiOutcome, AiRequest } from './context.ts';
import { type AiFailure, aiFailure, failureCode, failureFromCall } from './errors.ts';
import { blockFailure } from './guardrails/failures.ts';
import { GuardrailRun } from './guardrails/guard.ts';
import { guardStream } from './guardrails/stream.ts';
import { MAX_CONVERSATION_TURNS, MAX_STORED_CONVERSATION_BYTES } from './responses-store.ts';
import {
  fromStore,
  responseNotFound,
  scopeOf,
  serveStoredResponse,
  storableId,
  storeUnavailable,
} from './responses-stored.ts';
import { routeChat } from './routing.ts';
import { type CallBase, outcome, serveReserved, tokenizerModel } from './surface-calls.ts';

/*
 * The OpenAI Responses surface of an AI API: POST /v1/responses (streamed or not) here; what is served
 * on a stored response (GET, DELETE, input items) in responses-stored.ts. A request is translated to the
 * unified chat request and routed like a chat call (any provider, fallback, metering, budgets, call log under surface "responses"); stored responses
 * (store defaults to true) keep the conversation for previous_response_id, per app (responses-store.ts).
 */

type Fail = (failure: AiFailure) => AiOutcome;

/** Serves /v1/responses and the stored responses under it; `rest` has no trailing slash. */
export async function serveResponses(
  ai: AiCalls,
  ctx: AiRequest,
  config: AiGatewayConfig,
  rest: string,
  fail: Fail,
): Promise<AiOutcome> {
  if (rest !== '/v1/responses') return serveStoredResponse(ai, ctx, rest, fail);
  if (ctx.req.method !== 'POST') return fail(aiFailure(405, 'method_not_allowed', 'Use POST /v1/responses.'));
  return createResponse(ai, ctx, config, fail);
}

/** The stored conversation a request continues, or the failure to answer with. */
async function history(
  ai: AiCalls,
  ctx: AiRequest,
  request: ResponsesRequest,
): Promise<{ ok: true; items: ResponseInputItem[]; turns: number } | { ok: false; failure: AiFailure }> {
  const previous = request.previous_response_id;
  if (!previous) return { ok: true, items: [], turns: 0 };
  if (!storableId(previous)) {
    return { ok: false, failure: responseNotFound(previous, 'previous_response_id') };
  }
  const stored = await fromStore(ai, () => ai.responseStore.load(previous, scopeOf(ctx)));
  if (stored === undefined) return { ok: false, failure: storeUnavailable() };
  if (!stored) return { ok: false, failure: responseNotFound(previous, 'previous_response_id') };
  return { ok: true, items: readStoredItems(stored.items), turns: stored.turns };
}

async function createResponse(
  ai: AiCalls,
  ctx: AiRequest,
  config: AiGatewayConfig,
  fail: Fail,
): Promise<AiOutcome> {
  const text = await ai.readBody(ctx);
  if (!text.ok) return fail(text.error);
  const json = parseJsonBody(text.value);
  if (!json.ok) return fail({ status: 400, body: json.error });
  const parsed = parseResponsesRequest(json.value);
  if (!parsed.ok) return fail({ status: 400, body: parsed.error });
  const request = parsed.value;
  const route = findRoute(config.routes, request.model);
  if (!route) {
    return fail(
      aiFailure(
        404,
        'model_not_found',
        `The model '${request.model}' does not exist or you do not have access to it.`,
        {
          param: 'model',
        },
      ),
    );
  }
  const earlier = await history(ai, ctx, request);
  if (!earlier.ok) return fail(earlier.failure);
  const store = request.store !== false;
  const conversation = [...earlier.items, ...inputItems(request)];
  if (store && earlier.turns + 1 > MAX_CONVERSATION_TURNS) {
    return fail(
      aiFailure(
        400,
        'conversation_too_long',
        `A conversation holds at most ${MAX_CONVERSATION_TURNS} stored responses; start a new one.`,
        {
          param: 'previous_response_id',
        },
      ),
    );
  }
  if (store && Buffer.byteLength(JSON.stringify(conversation)) > MAX_STORED_CONVERSATION_BYTES) {
    return fail(
      aiFailure(
        400,
        'conversation_too_large',
        `A stored conversation holds at most ${MAX_STORED_CONVERSATION_BYTES} bytes; start a new one or send store: false.`,
        {
          param: 'input',
        },
      ),
    );
  }
  const guard = new GuardrailRun(route.guardrails ?? config.guardrails, ai, ctx);
  // Checked before the provider is called and before anything is held on the plan's limits.
  const asked = responsesToUnified(request, earlier.items);
  const input = await guard.checkInput(asked);
  if (!input.ok) {
    const failure = blockFailure(input.block);
    const failed = fail(failure);
    ai.finish(ctx, config.logging, {
      surface: 'responses',
      model: request.model,
      stream: request.stream === true,
      ttftMs: null,
      requestText: text.value,
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
  const unified = input.request;
  // The budget call site, as chat's: the worst case is reserved before the provider is called and
  // settled (or released) by ai.finish.
  const worst: CallWorstCase = {
    route,
    inputTokens: () => countRequestTokens(unified, tokenizerModel(route, request.model)),
    maxOutputTokens: unified.max_completion_tokens ?? null,
  };
  return serveReserved(ai, ctx, worst, fail, (reservation) => {
    // The provider then cannot produce more than was reserved.
    if (reservation.maxTokens !== undefined) unified.max_completion_tokens = reservation.maxTokens;
    const base: CallBase = {
      surface: 'responses',
      model: request.model,
      stream: request.stream === true,
      ttftMs: null,
      // the log keeps what the provider was sent, not what the guardrails took out
      requestText: unified === asked ? text.value : JSON.stringify(unified),
      reservation,
      guardrails: guard.decisions,
    };
    const turns = earlier.turns + 1;
    const turn: Turn = { request, unified, route, base, reservation, guard, turns, conversation };
    return answer(ai, ctx, config, fail, turn);
  });
}

/** A validated, reserved call: what answering it needs. */
interface Turn {
  request: ResponsesRequest;
  unified: ChatCompletionRequest;
  route: ModelRoute;
  base: CallBase;
  guard: GuardrailRun;
  /** the call's hold on the plan's limits across its attempts */
  reservation: AttemptBudget;
  /** responses in the conversation once this one is stored */
  turns: number;
  /** the conversation so far: earlier turns and this request's input */
  conversation: readonly unknown[];
}

async function answer(
  ai: AiCalls,
  ctx: AiRequest,
  config: AiGatewayConfig,
  fail: Fail,
  turn: Turn,
): Promise<AiOutcome> {
  const { base, conversation } = turn;
  const headers = { ...ctx.limitHeaders, 'x-request-id': ctx.requestId };
  const started = startResponse(newResponseId(), turn.request, nowSeconds());
  // The stored row: the conversation so far plus this response's output (the answer it gave).
  const save = async (response: ResponseObject): Promise<ResponseObject> => {
    if (!response.store) return response;
    try {
      await ai.responseStore.save(response.id, scopeOf(ctx), {
        turns: turn.turns,
        items: [...conversation, ...response.output],
        response,
      });
      return response;
    } catch (error) {
      // The answer is paid for: the client gets it, marked as not stored, rather than an error.
      ai.responseStoreFailed(error);
      return { ...response, store: false };
    }
  };

  const routed = await routeChat(
    turn.route,
    ctx,
    ai,
    turn.unified,
    providerCallSignal(),
    turn.reservation.hooks,
  );
  const upstreamMs = Date.now() - ctx.startedAt;
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
  const target = routed.target;
  const price = target ? await ai.priceOf(ctx, target) : undefined;
  const result = routed.outcome.value;
  const called = { target, attempts: routed.attempts };
  if (result.kind === 'completion') {
    const cost = ai.cost(result.usage, price);
    ai.meter(ctx, result.usage, cost);
    const checked = await turn.guard.checkOutput(result.completion);
    if (!checked.ok) {
      // the provider answered (and charged): the tokens are metered, the answer withheld and not stored
      const failure = blockFailure(checked.block);
      const failed = fail(failure);
      ai.finish(ctx, config.logging, {
        ...base,
        ...called,
        status: failure.status,
        errorCode: failureCode(failure),
        usage: result.usage,
        costMicros: cost,
        responseText: JSON.stringify(result.completion),
      });
      return failed;
    }
    const answer = await save(completionToResponse(started, checked.completion, result.usage));
    const responseText = JSON.stringify(answer);
    sendJson(ctx.res, 200, answer, headers);
    ai.finish(ctx, config.logging, {
      ...base,
      ...called,
      status: 200,
      errorCode: null,
      usage: result.usage,
      costMicros: cost,
      responseText,
    });
    return outcome(200, null, upstreamMs);
  }
  // A block cuts the stream: the Responses `error` and `response.failed` events end it, nothing is stored.
  const stream = guardStream(result.stream, turn.guard);
  let cost = 0n;
  // Registered before the pipe awaits `final` too, so the usage event has its tokens before end().
  void stream.final.then((final) => {
    cost = ai.cost(final.usage, price);
    ai.meter(ctx, final.usage, cost);
  });
  const piped = await pipeResponsesStream(ctx.res, stream, started, headers, save);
  const { final } = piped;
  const errorCode = final.error ? (final.error.body.error.code ?? final.error.kind) : null;
  ai.finish(ctx, config.logging, {
    ...base,
    ...called,
    status: final.error?.kind === 'aborted' ? 499 : 200,
    errorCode,
    usage: final.usage,
    costMicros: cost,
    ttftMs: final.timeToFirstTokenMs,
    responseText:
      config.logging.logBodies && piped.response ? JSON.stringify(piped.response.output) : undefined,
  });
  const ttft = final.timeToFirstTokenMs;
  return outcome(200, errorCode, ttft === null ? null : Math.round(ttft));
}
