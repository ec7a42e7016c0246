import type { File } from 'node:buffer';
import { FormData, Response as UndiciResponse } from 'undici';
import { containerDurationMs, lastCueEndMs, maxBillableAudioMs, wavDurationMs } from './audio-duration.ts';
import { type CallOptions, type CallResult, resolveProvider, upstreamOptions } from './call.ts';
import { openAIError } from './errors.ts';
import type { ProviderDefinition } from './providers/types.ts';
import type { TokenUsage } from './types.ts';
import { aiError, readAnswer, sendUpstream, translationError, upstreamFailure } from './upstream.ts';
import type { Validated } from './validate.ts';

/*
 * POST /v1/audio/transcriptions, passed through as multipart in OpenAI's wire format to the providers
 * that offer it (supports.audio). Metered by the second of input audio: the duration the provider
 * reports (verbose_json's `duration`, or `usage: {type: "duration"}`), else the one the file itself
 * gives (read before the call, so a file whose length cannot be told is refused up front; bounded as
 * audio-duration.ts describes), raised to the last srt/vtt cue's end when that is later. A `text`
 * answer from a whisper model is asked for as verbose_json, so it carries the provider's duration.
 */

const TRANSCRIPTION_FORMATS = ['json', 'text', 'srt', 'verbose_json', 'vtt'] as const;

/** Fields OpenAI's endpoint takes; anything else is refused rather than sent on unseen. */
const FIELDS = new Set([
  'file',
  'model',
  'language',
  'prompt',
  'response_format',
  'temperature',
  'timestamp_granularities[]',
  'include[]',
  'chunking_strategy',
  'stream',
]);

export interface TranscriptionRequest {
  /** the caller's form, checked: forwarded with `model` replaced */
  form: FormData;
  model: string;
  file: File;
  responseFormat: (typeof TRANSCRIPTION_FORMATS)[number];
}

const invalid = (message: string, param: string | null = null, code: string | null = null) => ({
  ok: false as const,
  error: openAIError(message, 'invalid_request_error', param, code),
});

/** Reads and checks a multipart/form-data transcription body; garbage is a 400, never a throw. */
export async function parseTranscriptionForm(
  body: Uint8Array,
  contentType: string | undefined,
): Promise<Validated<TranscriptionRequest>> {
  if (!contentType || !/^multipart\/form-data\s*;/i.test(contentType)) {
    return invalid('The request must be multipart/form-data with a boundary.');
  }
  let form: FormData;
  try {
    form = await new UndiciResponse(body, { headers: { 'content-type': contentType } }).formData();
  } catch {
    return invalid('The multipart/form-data body could not be read.');
  }
  for (const name of form.keys()) {
    if (!FIELDS.has(name)) return invalid(`Unrecognized request argument supplied: ${name}`, name);
  }
  const file = form.get('file');
  if (file === null)
    return invalid("Missing required parameter: 'file'.", 'file', 'missing_required_parameter');
  if (typeof file === 'string' || file.size === 0) return invalid("'file' must be a non-empty file.", 'file');
  const model = form.get('model');
  if (typeof model !== 'string' || model.length === 0 || model.length > 200) {
    return invalid("Missing required parameter: 'model'.", 'model', 'missing_required_parameter');
  }
  const format = form.get('response_format') ?? 'json';
  if (typeof format !== 'string' || !(TRANSCRIPTION_FORMATS as readonly string[]).includes(format)) {
    return invalid(
      `'response_format' must be one of ${TRANSCRIPTION_FORMATS.join(', ')}.`,
      'response_format',
    );
  }
  const temperature = form.get('temperature');
  if (temperature !== null) {
    const value =
      typeof temperature === 'string' && temperature.trim() !== '' ? Number(temperature) : Number.NaN;
    if (!(value >= 0 && value <= 1))
      return invalid("'temperature' must be a number from 0 to 1.", 'temperature');
  }
  for (const name of ['language', 'prompt', 'chunking_strategy'] as const) {
    const value = form.get(name);
    if (value !== null && (typeof value !== 'string' || value.length > 4096)) {
      return invalid(`'${name}' must be a short text.`, name);
    }
  }
  if (form.get('stream') === 'true') return invalid('Streamed transcriptions are not offered.', 'stream');
  return {
    ok: true,
    value: { form, model, file, responseFormat: format as TranscriptionRequest['responseFormat'] },
  };
}

/**
 * The audio's length in milliseconds from the file itself (WAV, MP3, M4A, OGG, FLAC, WebM…), or null:
 * a WAV's from its data chunk, another container's from music-metadata bounded by its codec's floor
 * bitrate, never more than the file's size at 8 kbit/s. What budgets reserve and, when the provider
 * reports no duration, what the call is billed.
 */
export async function audioDurationMs(file: File): Promise<number | null> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  const length = wavDurationMs(bytes) ?? (await containerDurationMs(bytes, file.type));
  return length === null ? null : Math.min(length, maxBillableAudioMs(bytes.length));
}

export interface TranscriptionCallOptions extends CallOptions {
  model: string;
  request: TranscriptionRequest;
}

export interface TranscriptionOutcome {
  /** the provider's answer as it came, with its content type (JSON or text/srt/vtt) */
  body: string;
  contentType: string;
  /** the audio's length as the provider reports it; null when it does not */
  durationMs: number | null;
  /** srt/vtt: the end of the last cue, audio the provider heard at the least; null otherwise */
  heardMs: number | null;
  /** tokens the provider reports (gpt-4o transcription models); zero otherwise */
  usage: TokenUsage;
  latencyMs: number;
}

const unsupported = (provider: ProviderDefinition) =>
  aiError(provider.id, 'unsupported', 400, `${provider.name} does not offer audio transcription.`, {
    retryable: false,
    type: 'invalid_request_error',
    code: 'unsupported_operation',
  });

const isCount = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0;

/** Duration and tokens from a JSON answer: verbose_json's `duration`, or OpenAI's `usage` object. */
function reportedUsage(text: string): { durationMs: number | null; usage: TokenUsage } {
  const none = { promptTokens: 0, completionTokens: 0, totalTokens: 0, estimated: false };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { durationMs: null, usage: none };
  }
  if (typeof json !== 'object' || json === null) return { durationMs: null, usage: none };
  const { duration, usage } = json as { duration?: unknown; usage?: Record<string, unknown> };
  let durationMs = isCount(duration) ? Math.round(duration * 1000) : null;
  if (usage?.type === 'duration' && isCount(usage.seconds)) durationMs ??= Math.round(usage.seconds * 1000);
  if (usage?.type === 'tokens' && isCount(usage.input_tokens) && isCount(usage.output_tokens)) {
    const promptTokens = Math.round(usage.input_tokens);
    const completionTokens = Math.round(usage.output_tokens);
    return {
      durationMs,
      usage: {
        promptTokens,
        completionTokens,
        totalTokens: promptTokens + completionTokens,
        estimated: false,
      },
    };
  }
  return { durationMs, usage: none };
}

const CONTENT_TYPES: Record<TranscriptionRequest['responseFormat'], string> = {
  json: 'application/json',
  verbose_json: 'application/json',
  text: 'text/plain; charset=utf-8',
  srt: 'text/plain; charset=utf-8',
  vtt: 'text/plain; charset=utf-8',
};

/**
 * A `text` answer from a whisper model carries no duration: verbose_json is asked for instead (whisper
 * models offer it; gpt-4o transcription models do not) and the text rendered from it, as OpenAI does.
 */
const asksVerbose = (format: TranscriptionRequest['responseFormat'], model: string): boolean =>
  format === 'text' && /^whisper/i.test(model);

function upstreamForm(request: TranscriptionRequest, verbose: boolean): FormData {
  if (!verbose) return request.form;
  const form = new FormData();
  for (const [name, value] of request.form) if (name !== 'response_format') form.append(name, value);
  form.set('response_format', 'verbose_json');
  return form;
}

/** The `text` answer of a verbose_json one (its text and a newline); the body as it came otherwise. */
function textOf(body: string): string {
  try {
    const { text } = JSON.parse(body) as { text?: unknown };
    return typeof text === 'string' ? `${text}\n` : body;
  } catch {
    return body;
  }
}

export async function callTranscription(
  options: TranscriptionCallOptions,
): Promise<CallResult<TranscriptionOutcome>> {
  const provider = resolveProvider(options.provider);
  if ('kind' in provider) return { ok: false, error: provider };
  const build = provider.buildTranscriptionRequest;
  if (!provider.supports.audio || !build) return { ok: false, error: unsupported(provider) };
  const upstream = upstreamOptions(options, provider);
  const verbose = asksVerbose(options.request.responseFormat, options.model);
  const startedAt = performance.now();
  let spec: ReturnType<typeof build>;
  try {
    spec = build(upstreamForm(options.request, verbose), options.model, options.credential);
  } catch (error) {
    return { ok: false, error: translationError(provider.id, error) };
  }
  const sent = await sendUpstream(spec, upstream);
  if (!sent.ok) return sent;
  const response = sent.value;
  if (response.statusCode < 200 || response.statusCode >= 300) {
    return { ok: false, error: await upstreamFailure(response, upstream) };
  }
  const read = await readAnswer(response, upstream);
  if (!read.ok) return read;
  let body = read.value;
  const format = options.request.responseFormat;
  const json = format === 'json' || format === 'verbose_json' || verbose;
  const reported = json ? reportedUsage(body) : { durationMs: null, usage: reportedUsage('null').usage };
  if (verbose) body = textOf(body);
  const timed = format === 'srt' || format === 'vtt';
  return {
    ok: true,
    value: {
      body,
      contentType: CONTENT_TYPES[format],
      ...reported,
      heardMs: timed ? lastCueEndMs(body) : null,
      latencyMs: performance.now() - startedAt,
    },
  };
}
