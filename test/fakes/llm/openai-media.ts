import { countWords, randomToken } from './script.ts';
import type { FlavorContext } from './server.ts';

/*
 * OpenAI's image generation and audio transcription endpoints (and Azure's deployment forms of them),
 * per the public API reference: POST /images/generations takes JSON and answers
 * `{created, data: [{url} | {b64_json}], usage?}` (gpt-image models always answer base64 and report
 * token usage); POST /audio/transcriptions takes multipart/form-data and answers `{text, usage}` (json),
 * verbose_json with `duration` and segments, or text/srt/vtt as plain text.
 */

/** 1×1 transparent PNG. */
const PNG_1X1 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';

export function fakeImages(context: FlavorContext, body: Record<string, unknown>, model: string): void {
  if (typeof body.prompt !== 'string' || body.prompt.length === 0) {
    context.sendError(400, "Missing required parameter: 'prompt'.");
    return;
  }
  const n = body.n ?? 1;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 10) {
    context.sendError(
      400,
      `Invalid 'n': integer above maximum value. Expected a value <= 10, but got ${String(n)}.`,
    );
    return;
  }
  if (model.startsWith('dall-e-3') && n !== 1) {
    context.sendError(400, "Invalid 'n': dall-e-3 only supports n=1.");
    return;
  }
  const gptImage = model.startsWith('gpt-image');
  if (gptImage && body.response_format !== undefined) {
    context.sendError(400, "Unknown parameter: 'response_format'.");
    return;
  }
  const base64 = gptImage || body.response_format === 'b64_json';
  const data = Array.from({ length: n }, (_, i) =>
    base64
      ? { b64_json: PNG_1X1 }
      : { url: `https://images.example.test/${randomToken()}-${i}.png`, revised_prompt: body.prompt },
  );
  const response: Record<string, unknown> = { created: Math.floor(Date.now() / 1000), data };
  if (gptImage && !context.settings.omitUsage) {
    const input = countWords([body.prompt]);
    const output = 272 * n;
    response.usage = {
      total_tokens: input + output,
      input_tokens: input,
      output_tokens: output,
      input_tokens_details: { text_tokens: input, image_tokens: 0 },
    };
  }
  context.sendJson(200, response);
}

/** A WAV file's length in seconds from its header (fmt byte rate, data chunk size); null if not WAV. */
function wavSeconds(bytes: Uint8Array): number | null {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (
    view.length < 12 ||
    view.toString('ascii', 0, 4) !== 'RIFF' ||
    view.toString('ascii', 8, 12) !== 'WAVE'
  ) {
    return null;
  }
  let byteRate = 0;
  for (let at = 12; at + 8 <= view.length; ) {
    const id = view.toString('ascii', at, at + 4);
    const size = view.readUInt32LE(at + 4);
    if (id === 'fmt ' && at + 16 <= view.length) byteRate = view.readUInt32LE(at + 16);
    if (id === 'data') return byteRate > 0 ? size / byteRate : null;
    at += 8 + size + (size % 2);
  }
  return null;
}

const timestamp = (seconds: number, separator: string) => {
  const ms = Math.round(seconds * 1000);
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  return `${pad(Math.floor(ms / 3_600_000))}:${pad(Math.floor(ms / 60_000) % 60)}:${pad(Math.floor(ms / 1000) % 60)}${separator}${pad(ms % 1000, 3)}`;
};

export async function fakeTranscription(context: FlavorContext, model: string | null): Promise<void> {
  const { request, settings } = context;
  let form: FormData;
  try {
    form = await new Response(new Uint8Array(request.rawBytes), {
      headers: { 'content-type': request.headers['content-type'] ?? '' },
    }).formData();
  } catch {
    context.sendError(400, 'Could not parse multipart form');
    return;
  }
  const file = form.get('file');
  const name = model ?? form.get('model');
  if (typeof file === 'string' || file === null) {
    context.sendError(400, "Missing required parameter: 'file'.");
    return;
  }
  if (typeof name !== 'string') {
    context.sendError(400, "Missing required parameter: 'model'.");
    return;
  }
  const seconds = settings.transcriptionSeconds ?? wavSeconds(new Uint8Array(await file.arrayBuffer()));
  if (seconds === null) {
    context.sendError(400, 'Audio file might be corrupted or unsupported');
    return;
  }
  const format = form.get('response_format') ?? 'json';
  const whisper = name.startsWith('whisper');
  if (format === 'verbose_json' && !whisper) {
    context.sendError(400, `response_format 'verbose_json' is not compatible with model '${name}'.`);
    return;
  }
  const text = settings.reply;
  const tokenUsage = {
    type: 'tokens',
    input_tokens: Math.ceil(seconds * 10),
    input_token_details: { text_tokens: 0, audio_tokens: Math.ceil(seconds * 10) },
    output_tokens: countWords([text]),
    total_tokens: Math.ceil(seconds * 10) + countWords([text]),
  };
  const usage = whisper ? { type: 'duration', seconds: Math.ceil(seconds) } : tokenUsage;
  const segment = { id: 0, seek: 0, start: 0, end: seconds, text, tokens: [], temperature: 0 };
  if (format === 'json') {
    context.sendJson(200, settings.omitUsage ? { text } : { text, usage });
  } else if (format === 'verbose_json') {
    const answer: Record<string, unknown> = {
      task: 'transcribe',
      language: 'english',
      duration: seconds,
      text,
    };
    answer.segments = [segment];
    if (!settings.omitUsage) answer.usage = usage;
    context.sendJson(200, answer);
  } else if (format === 'text' || format === 'srt' || format === 'vtt') {
    const body =
      format === 'text'
        ? `${text}\n`
        : format === 'srt'
          ? `1\n${timestamp(0, ',')} --> ${timestamp(seconds, ',')}\n${text}\n\n`
          : `WEBVTT\n\n${timestamp(0, '.')} --> ${timestamp(seconds, '.')}\n${text}\n\n`;
    context.res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    context.res.end(body);
  } else {
    context.sendError(400, `Invalid value for 'response_format': ${String(format)}.`);
  }
}
