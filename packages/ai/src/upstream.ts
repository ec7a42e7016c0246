import { Agent, type Dispatcher } from 'undici';
import {
  type AiCallError,
  type AiErrorKind,
  InvalidResponseError,
  openAIError,
  ProviderAuthError,
  ResponseTooLargeError,
  UnsupportedRequestError,
} from './errors.ts';
import type {
  HeaderMap,
  ProviderCredential,
  ProviderDefinition,
  ProviderHttpRequest,
} from './providers/types.ts';
import { scrubSecrets } from './scrub.ts';

/** What every call takes besides its request. */
export interface UpstreamOptions {
  provider: ProviderDefinition;
  /** handed to the provider's `authorize` hook, when it has one */
  credential?: ProviderCredential;
  signal?: AbortSignal;
  /** until the response headers arrive; for non-streamed calls that is nearly the whole call */
  timeoutMs: number;
  /** longest silence between two body chunks (streams: between tokens) */
  idleTimeoutMs: number;
  dispatcher?: Dispatcher;
  /** W3C trace context sent with the call (the caller's span as parent); absent: none */
  traceHeaders?: TraceHeaders;
}

export interface TraceHeaders {
  traceparent: string;
  tracestate?: string;
}

export const DEFAULT_TIMEOUT_MS = 120_000;

/**
 * The call's own clock. undici's headersTimeout/bodyTimeout run on a coarse timer wheel (about half a
 * second of slack), too loose for a gateway's fallback decisions, so one native timer per call covers
 * "no response headers within timeoutMs", then (streams) "no body bytes within idleTimeoutMs", and the
 * caller's signal is folded into the same AbortController.
 */
export class Deadline {
  readonly controller = new AbortController();
  expired = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly onCallerAbort = () => this.controller.abort();

  constructor(
    private readonly callerSignal: AbortSignal | undefined,
    timeoutMs: number,
  ) {
    if (callerSignal?.aborted) this.controller.abort();
    else callerSignal?.addEventListener('abort', this.onCallerAbort, { once: true });
    this.arm(timeoutMs);
  }

  get callerAborted(): boolean {
    return this.callerSignal?.aborted === true;
  }

  /** Restarts the clock with a new allowance (the idle timeout once a stream has started). */
  arm(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = ms > 0 && Number.isFinite(ms) ? setTimeout(() => this.fire(), ms) : null;
  }

  /** Bytes arrived: the idle allowance starts over. */
  touch(): void {
    this.timer?.refresh();
  }

  clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.callerSignal?.removeEventListener('abort', this.onCallerAbort);
  }

  private fire(): void {
    this.expired = true;
    this.controller.abort();
  }
}

let sharedAgent: Agent | undefined;

/** One keep-alive agent per process for callers that bring no dispatcher of their own. */
function defaultDispatcher(): Agent {
  sharedAgent ??= new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 600_000, connections: 256 });
  return sharedAgent;
}

export function aiError(
  provider: string,
  kind: AiErrorKind,
  status: number,
  message: string,
  options: { retryable: boolean; type?: string; code?: string | null; param?: string | null },
): AiCallError {
  return {
    kind,
    provider,
    status,
    upstreamStatus: null,
    retryable: options.retryable,
    retryAfterMs: null,
    body: openAIError(message, options.type ?? 'server_error', options.param ?? null, options.code ?? null),
  };
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  const cause = (error as { cause?: unknown }).cause;
  if (cause !== undefined && cause !== error) return errorCode(cause);
  // Happy-eyeballs connects fail with an AggregateError of per-address errors.
  const inner = (error as { errors?: unknown[] }).errors?.[0];
  return inner === undefined ? undefined : errorCode(inner);
}

const TIMEOUT_CODES = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'ETIMEDOUT',
]);

/** A thrown transport error as a typed failure: timeouts and connection trouble are worth a retry elsewhere. */
export function transportError(
  provider: string,
  error: unknown,
  deadline: Deadline,
  midStream: boolean,
): AiCallError {
  const code = errorCode(error);
  if (!deadline.expired && (deadline.callerAborted || code === 'UND_ERR_ABORTED' || code === 'ABORT_ERR')) {
    return aiError(provider, 'aborted', 499, 'The request was cancelled.', {
      retryable: false,
      code: 'request_cancelled',
    });
  }
  if (deadline.expired || (code && TIMEOUT_CODES.has(code))) {
    return aiError(
      provider,
      'timeout',
      504,
      midStream ? 'The provider stopped sending tokens.' : 'The provider did not answer in time.',
      { retryable: true, type: 'timeout_error', code: 'upstream_timeout' },
    );
  }
  if (midStream) {
    return aiError(provider, 'stream_interrupted', 502, 'The provider connection broke during the stream.', {
      retryable: true,
      code: 'upstream_stream_interrupted',
    });
  }
  // The gateway's SSRF guard (apps/gateway/src/upstream/connector.ts) refused the endpoint's address.
  if (code === 'ERR_UPSTREAM_FORBIDDEN') {
    return aiError(
      provider,
      'connect',
      502,
      "The provider endpoint resolves to an address this organization's credentials may not reach.",
      { retryable: true, code: 'upstream_forbidden' },
    );
  }
  return aiError(provider, 'connect', 502, `The provider could not be reached${code ? ` (${code})` : ''}.`, {
    retryable: true,
    code: 'upstream_unreachable',
  });
}

/** Builder/parser exceptions as typed failures (builders reject, parsers find garbage). */
export function translationError(provider: string, error: unknown): AiCallError {
  // A builder that finds the stored credential unusable (a missing setting it needs) says so like `authorize`.
  if (error instanceof ProviderAuthError) return { ...error.failure, kind: 'upstream', provider };
  if (error instanceof UnsupportedRequestError) {
    return aiError(provider, 'unsupported', 400, error.message, {
      retryable: false,
      type: 'invalid_request_error',
      code: 'unsupported_parameter',
      param: error.param,
    });
  }
  const detail =
    error instanceof InvalidResponseError || error instanceof SyntaxError ? `: ${error.message}` : '';
  return aiError(provider, 'invalid_response', 502, `The provider's answer could not be read${detail}.`, {
    retryable: true,
    code: 'invalid_upstream_response',
  });
}

export interface UpstreamResponse {
  statusCode: number;
  headers: HeaderMap;
  body: Dispatcher.ResponseData['body'];
  /** still running: cleared by whoever finishes reading the body */
  deadline: Deadline;
}

export type Sent = { ok: true; value: UpstreamResponse } | { ok: false; error: AiCallError };

/** Sends one request; errors statuses are left to the caller (their bodies need the adapter). */
export async function sendUpstream(spec: ProviderHttpRequest, options: UpstreamOptions): Promise<Sent> {
  let url: URL;
  try {
    url = new URL(spec.url);
  } catch {
    return {
      ok: false,
      error: aiError(
        options.provider.id,
        'unsupported',
        500,
        `Invalid provider URL: ${scrubSecrets(spec.url)}`,
        {
          retryable: false,
        },
      ),
    };
  }
  const deadline = new Deadline(options.signal, options.timeoutMs);
  const dispatcher = options.dispatcher ?? defaultDispatcher();
  let request = spec;
  const authorize = options.provider.authorize;
  if (authorize && options.credential) {
    try {
      request = await authorize(spec, options.credential, { dispatcher, signal: deadline.controller.signal });
    } catch (error) {
      deadline.clear();
      if (!(error instanceof ProviderAuthError)) {
        return { ok: false, error: transportError(options.provider.id, error, deadline, false) };
      }
      return { ok: false, error: { ...error.failure, kind: 'upstream', provider: options.provider.id } };
    }
  }
  try {
    const response = await dispatcher.request({
      origin: url.origin,
      path: url.pathname + url.search,
      method: request.method,
      headers: options.traceHeaders ? { ...request.headers, ...options.traceHeaders } : request.headers,
      body: request.form ?? request.body,
      signal: deadline.controller.signal,
      // The Deadline keeps time; undici's own timers are off.
      headersTimeout: 0,
      bodyTimeout: 0,
    });
    if (response.statusCode === 401 && options.credential) {
      options.provider.unauthorized?.(request, options.credential, {
        dispatcher,
        signal: deadline.controller.signal,
      });
    }
    return { ok: true, value: { ...response, deadline } as UpstreamResponse };
  } catch (error) {
    deadline.clear();
    return { ok: false, error: transportError(options.provider.id, error, deadline, false) };
  }
}

/*
 * What the gateway buffers of a provider's answer is bounded: the endpoint is whatever host a tenant
 * configured, and an endless answer would otherwise fill the memory every tenant's traffic shares.
 *
 * 64 MiB for a 2xx answer read whole. The largest legitimate answers stay well below it: ten 1536×1024
 * images as b64_json (a few MB each), or a 2048-input embeddings batch of 1536-dimension vectors, which
 * the gateway asks for as JSON floats (~40 MB). A 3072-dimension batch that large goes past it and has to
 * be split. Streams never buffer the whole answer; one event of theirs is bounded in sse.ts.
 */
export const MAX_ANSWER_BYTES = 64 * 1024 * 1024;
/** An error status's body only feeds the error's message: past this it is cut off (declared longer: not read) and the status decides. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

type ReadableBody = AsyncIterable<Uint8Array> & { destroy(error?: Error): unknown };

export interface CappedText {
  /** the body as UTF-8, or its first `limit` bytes when it overflowed */
  text: string;
  /** the body was longer than the limit (or declared so); the rest was not read and the body destroyed */
  overflowed: boolean;
}

/**
 * The one way a provider's answer is read whole. A Content-Length above `limit` is refused before any
 * byte is read; an answer that runs past it unannounced is destroyed at the limit.
 */
export async function readCapped(
  response: { body: ReadableBody; headers?: HeaderMap },
  limit: number,
): Promise<CappedText> {
  const declared = Number(response.headers?.['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    response.body.destroy();
    return { text: '', overflowed: true };
  }
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const part of response.body) {
    if (size + part.length > limit) {
      parts.push(part.subarray(0, limit - size));
      response.body.destroy();
      return { text: Buffer.concat(parts).toString('utf8'), overflowed: true };
    }
    size += part.length;
    parts.push(part);
  }
  return { text: Buffer.concat(parts).toString('utf8'), overflowed: false };
}

/** A provider answer (or one event of a stream) past the gateway's bound: worth a try elsewhere. */
export function responseTooLarge(provider: string, limit: number): AiCallError {
  const size = limit >= 1024 * 1024 ? `${limit / (1024 * 1024)} MiB` : `${limit / 1024} KiB`;
  return aiError(
    provider,
    'invalid_response',
    502,
    `The provider's answer exceeded the gateway's ${size} limit.`,
    {
      retryable: true,
      code: 'upstream_response_too_large',
    },
  );
}

/** A thrown stream-decoder error as a typed failure: an oversized event or an unreadable frame. */
export function streamDecodeError(provider: string, error: unknown): AiCallError {
  if (error instanceof ResponseTooLargeError) return responseTooLarge(provider, error.limit);
  const detail = error instanceof Error ? `: ${error.message}` : '';
  return aiError(provider, 'invalid_response', 502, `The provider's stream could not be read${detail}.`, {
    retryable: true,
    code: 'invalid_upstream_response',
  });
}

/** Reads an error status's body (its first 64 KiB) and lets the adapter map it (OpenAI shape, retryable, Retry-After). */
export async function upstreamFailure(
  response: UpstreamResponse,
  options: UpstreamOptions,
): Promise<AiCallError> {
  let text = '';
  try {
    text = (await readCapped(response, MAX_ERROR_BODY_BYTES)).text;
  } catch {
    // the status alone still decides
  } finally {
    response.deadline.clear();
  }
  const mapped = options.provider.mapError(response.statusCode, text, response.headers);
  return { ...mapped, kind: 'upstream', provider: options.provider.id, upstreamStatus: response.statusCode };
}

/** Reads a 2xx body whole, up to MAX_ANSWER_BYTES; transport failures and oversize become typed errors. */
export async function readAnswer(
  response: UpstreamResponse,
  options: UpstreamOptions,
): Promise<{ ok: true; value: string } | { ok: false; error: AiCallError }> {
  try {
    const read = await readCapped(response, MAX_ANSWER_BYTES);
    if (read.overflowed) return { ok: false, error: responseTooLarge(options.provider.id, MAX_ANSWER_BYTES) };
    return { ok: true, value: read.text };
  } catch (error) {
    return { ok: false, error: transportError(options.provider.id, error, response.deadline, true) };
  } finally {
    response.deadline.clear();
  }
}

/** Reads and parses a 2xx JSON body; transport, size and syntax failures become typed errors. */
export async function readJson(
  response: UpstreamResponse,
  options: UpstreamOptions,
): Promise<{ ok: true; value: unknown } | { ok: false; error: AiCallError }> {
  const read = await readAnswer(response, options);
  if (!read.ok) return read;
  try {
    return { ok: true, value: JSON.parse(read.value) };
  } catch (error) {
    return { ok: false, error: translationError(options.provider.id, error) };
  }
}
