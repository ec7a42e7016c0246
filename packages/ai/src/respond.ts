import type { ServerResponse } from 'node:http';
import type { AiCallError } from './errors.ts';
import { SSE_DONE_FRAME, sseData } from './sse.ts';
import type { StreamFinal, UnifiedStream } from './stream-call.ts';
import { anthropicUsage, toAnthropicError } from './surfaces/anthropic/response.ts';
import { AnthropicStreamEncoder } from './surfaces/anthropic/stream.ts';
import type { OpenAIErrorBody } from './types.ts';

/*
 * Writing unified results to a node:http response, for the gateway's /v1/* handlers: JSON bodies, errors
 * in OpenAI's or Anthropic's shape, and streams as SSE with backpressure and client-disconnect handling.
 */

export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  // Tells nginx-style buffering proxies to pass each event through at once.
  'x-accel-buffering': 'no',
};

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function retryAfterHeader(error: Pick<AiCallError, 'retryAfterMs'>): Record<string, string> {
  return error.retryAfterMs === null ? {} : { 'retry-after': String(Math.ceil(error.retryAfterMs / 1000)) };
}

/** An error in OpenAI's shape (a call failure, or a validation error with its status). */
export function sendOpenAIError(
  res: ServerResponse,
  error: { status: number; body: OpenAIErrorBody; retryAfterMs?: number | null },
): void {
  sendJson(res, error.status, error.body, retryAfterHeader({ retryAfterMs: error.retryAfterMs ?? null }));
}

export function sendAnthropicError(res: ServerResponse, error: AiCallError): void {
  const { status, body } = toAnthropicError(error);
  sendJson(res, status, body, retryAfterHeader(error));
}

/** Resolves when the socket can take more, or the client is gone (then `false`). */
export function drained(res: ServerResponse): Promise<boolean> {
  return new Promise((resolve) => {
    const onDrain = () => {
      res.off('close', onClose);
      resolve(true);
    };
    const onClose = () => {
      res.off('drain', onDrain);
      resolve(false);
    };
    res.once('drain', onDrain);
    res.once('close', onClose);
  });
}

/**
 * Streams a unified stream as OpenAI SSE: `data: {chunk}` frames (the usage chunk only if the client
 * asked for it), then `data: [DONE]`; a stream that broke ends with `data: {"error":…}`, which the
 * official clients raise as an APIError. Returns the stream's final state for metering.
 */
export async function pipeOpenAIStream(
  res: ServerResponse,
  stream: UnifiedStream,
  headers: Record<string, string> = {},
): Promise<StreamFinal> {
  res.writeHead(200, { ...SSE_HEADERS, ...headers });
  const onClose = () => {
    if (!res.writableFinished) stream.cancel();
  };
  res.once('close', onClose);
  try {
    for await (const chunk of stream.chunks) {
      if (chunk.choices.length === 0 && chunk.usage && !stream.includeUsage) continue;
      if (res.destroyed) break;
      // Waiting only when the socket is full keeps the common path free of extra promise turns.
      if (!res.write(sseData(JSON.stringify(chunk))) && !(await drained(res))) break;
    }
    const final = await stream.final;
    if (!res.destroyed) {
      if (final.error && final.error.kind !== 'aborted') res.write(sseData(JSON.stringify(final.error.body)));
      else res.write(SSE_DONE_FRAME);
      res.end();
    }
    return final;
  } finally {
    res.off('close', onClose);
  }
}

/**
 * Streams a unified stream as Anthropic's event stream (the /v1/messages surface). `model` is the name
 * the client asked for, echoed in message_start, which also carries the input tokens: the provider's
 * count when it reported one up front, else the gateway's estimate (message_delta has the final count).
 */
export async function pipeAnthropicStream(
  res: ServerResponse,
  stream: UnifiedStream,
  model: string,
  headers: Record<string, string> = {},
): Promise<StreamFinal> {
  res.writeHead(200, { ...SSE_HEADERS, ...headers });
  const onClose = () => {
    if (!res.writableFinished) stream.cancel();
  };
  res.once('close', onClose);
  let blocked = false;
  const prompt = await stream.promptUsage();
  const encoder = new AnthropicStreamEncoder(
    model,
    (frame) => {
      if (!res.destroyed && !res.write(frame)) blocked = true;
    },
    anthropicUsage({ ...prompt, completionTokens: 0, totalTokens: prompt.promptTokens }),
  );
  try {
    for await (const chunk of stream.chunks) {
      // A client gone before the stream opened never fires 'close' again: leaving the loop cancels it.
      if (res.destroyed) break;
      encoder.push(chunk);
      if (blocked) {
        blocked = false;
        if (!(await drained(res))) break;
      }
    }
    const final = await stream.final;
    if (!res.destroyed) {
      if (final.error?.kind !== 'aborted') encoder.finish(final.usage, final.error);
      res.end();
    }
    return final;
  } finally {
    res.off('close', onClose);
  }
}
