import {
  audioDurationMs,
  callTranscription,
  parseTranscriptionForm,
  type TranscriptionOutcome,
  type TranscriptionRequest,
} from '@portcullis/ai/audio';
import type { AiGatewayConfig, ModelRoute } from '@portcullis/core/ai-config';
import { perAudioSecondCost } from '@portcullis/core/ai-unit-costs';
import type { AttemptBudget } from './attempt-budget.ts';
import { type AiCalls, findRoute, providerCallSignal } from './calls.ts';
import type { AiOutcome, AiRequest } from './context.ts';
import { type AiFailure, aiFailure, modelNotFound } from './errors.ts';
import { routeCall } from './routing.ts';
import { type CallBase, failedCall, perUnitWorstCase, serveReserved } from './surface-calls.ts';

export const TRANSCRIPTIONS_PATH = '/v1/audio/transcriptions';

/**
 * POST /v1/audio/transcriptions over a model route, the multipart upload bounded by the API's body size
 * policy. Metered as seconds of input audio × perAudioSecond (the provider's reported duration, else the
 * file's own — audioDurationMs, the rule the budgets reserve on — raised to the last srt/vtt cue's end)
 * plus any tokens the provider reports, on the usage event, the budgets and the AI call log (surface
 * 'audio').
 */
export async function serveTranscription(
  ai: AiCalls,
  ctx: AiRequest,
  config: AiGatewayConfig,
  fail: (failure: AiFailure) => AiOutcome,
): Promise<AiOutcome> {
  const bytes = await ai.readBodyBytes(ctx);
  if (!bytes.ok) return fail(bytes.error);
  const parsed = await parseTranscriptionForm(bytes.value, ctx.req.headers['content-type']);
  if (!parsed.ok) return fail({ status: 400, body: parsed.error });
  const request = parsed.value;
  const route = findRoute(config.routes, request.model);
  if (!route) return fail(modelNotFound(request.model));
  // Read before the call: audio whose length cannot be told could not be metered.
  const headerMs = await audioDurationMs(request.file);
  if (headerMs === null) {
    return fail(
      aiFailure(
        400,
        'invalid_audio',
        'The audio file could not be read (flac, m4a, mp3, mp4, ogg, wav, webm).',
        {
          param: 'file',
        },
      ),
    );
  }
  // The worst case held on the plan's budgets: the file's seconds at the route's dearest perAudioSecond
  // (reported tokens and the provider's own seconds are settled as reported).
  const worst = perUnitWorstCase(route, { audioMs: headerMs });
  return serveReserved(ai, ctx, worst, fail, (reservation) =>
    transcribe(ai, ctx, config, route, request, headerMs, reservation, fail),
  );
}

async function transcribe(
  ai: AiCalls,
  ctx: AiRequest,
  config: AiGatewayConfig,
  route: ModelRoute,
  request: TranscriptionRequest,
  headerMs: number,
  reservation: AttemptBudget,
  fail: (failure: AiFailure) => AiOutcome,
): Promise<AiOutcome> {
  const signal = providerCallSignal();
  const routed = await routeCall<TranscriptionOutcome>(
    route,
    ctx,
    ai,
    signal,
    {
      operation: 'transcription',
      call: (target, timeoutMs, traceHeaders) =>
        callTranscription({
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
  const requestText = JSON.stringify({
    model: request.model,
    file: { name: request.file.name, type: request.file.type, bytes: request.file.size },
  });
  const base: CallBase = {
    surface: 'audio',
    model: request.model,
    stream: false,
    ttftMs: null,
    requestText,
    reservation,
  };
  if (!routed.outcome.ok) return failedCall(ai, ctx, config, fail, base, routed, routed.outcome.error);
  const answer = routed.outcome.value;
  // The provider's own duration when it reports one; else the file's, raised to the last srt/vtt cue's
  // end (speech can stop before the audio does, so a cue never lowers it).
  const durationMs = answer.durationMs ?? Math.max(headerMs, answer.heardMs ?? 0);
  const price = routed.target ? await ai.priceOf(ctx, routed.target) : undefined;
  const cost = ai.cost(answer.usage, price) + perAudioSecondCost(price, durationMs);
  ai.meter(ctx, answer.usage, cost);
  ctx.res.writeHead(200, {
    ...ctx.limitHeaders,
    'content-type': answer.contentType,
    'content-length': Buffer.byteLength(answer.body),
    'x-request-id': ctx.requestId,
  });
  ctx.res.end(answer.body);
  ai.finish(ctx, config.logging, {
    ...base,
    status: 200,
    errorCode: null,
    target: routed.target,
    attempts: routed.attempts,
    usage: answer.usage,
    costMicros: cost,
    responseText: answer.body,
  });
  return { status: 200, errorCode: null, upstreamMs: Math.round(answer.latencyMs) };
}
