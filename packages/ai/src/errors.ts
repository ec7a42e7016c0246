import { scrubSecrets } from './scrub.ts';
import type { OpenAIErrorBody, TokenUsage } from './types.ts';

/** What a provider adapter makes of an upstream error response. */
export interface ProviderError {
  /** the status the gateway should answer its client with */
  status: number;
  body: OpenAIErrorBody;
  /** another attempt (same or another provider) may succeed */
  retryable: boolean;
  retryAfterMs: number | null;
}

/** Thrown by a provider's `authorize` hook: the mapped failure the call answers with. */
export class ProviderAuthError extends Error {
  constructor(readonly failure: ProviderError & { upstreamStatus: number | null }) {
    super(failure.body.error.message);
    this.name = 'ProviderAuthError';
  }
}

export type AiErrorKind =
  /** the provider answered with an error status or an in-stream error event */
  | 'upstream'
  /** no response (or no next stream byte) within the timeout */
  | 'timeout'
  /** the connection could not be made or dropped before a response */
  | 'connect'
  /** the caller's signal aborted the call */
  | 'aborted'
  /** the provider answered 2xx with something we could not read */
  | 'invalid_response'
  /** the unified request cannot be expressed for this provider */
  | 'unsupported'
  /** the stream broke after it had started */
  | 'stream_interrupted'
  /** the gateway's guardrails cut the stream */
  | 'guardrail';

/** Every failure of a provider call, as a value; nothing raw is thrown at callers. */
export interface AiCallError extends ProviderError {
  kind: AiErrorKind;
  provider: string;
  upstreamStatus: number | null;
  /**
   * What the provider billed although the call failed: the answered requests of a split call (embeddings
   * over several requests) whose later request failed. Metered like an answer's usage, never dropped.
   */
  billed?: TokenUsage;
}

export function openAIError(
  message: string,
  type: string,
  param: string | null = null,
  code: string | null = null,
): OpenAIErrorBody {
  return { error: { message, type, param, code } };
}

/** 529 is Anthropic's "overloaded"; 408/409/425 are worth another try by HTTP's own semantics. */
export const isRetryableStatus = (status: number): boolean =>
  status === 408 || status === 409 || status === 425 || status === 429 || status >= 500;

/**
 * The status our client sees. Upstream 401/403 mean the gateway's provider credential is wrong, not the
 * client's key, so they become 502; 422 is a validation error in OpenAI's vocabulary (400).
 */
export function clientStatusFor(upstreamStatus: number): number {
  if (upstreamStatus === 401 || upstreamStatus === 403) return 502;
  if (upstreamStatus === 422) return 400;
  if (upstreamStatus === 529) return 503;
  if (upstreamStatus >= 400 && upstreamStatus < 600) return upstreamStatus;
  return 502;
}

const TYPE_BY_STATUS: Record<number, { type: string; code: string | null }> = {
  400: { type: 'invalid_request_error', code: null },
  401: { type: 'authentication_error', code: 'invalid_api_key' },
  403: { type: 'permission_error', code: null },
  404: { type: 'not_found_error', code: 'model_not_found' },
  408: { type: 'timeout_error', code: 'timeout' },
  409: { type: 'conflict_error', code: null },
  413: { type: 'invalid_request_error', code: 'request_too_large' },
  422: { type: 'invalid_request_error', code: null },
  429: { type: 'rate_limit_error', code: 'rate_limit_exceeded' },
};

export function errorTypeForStatus(status: number): { type: string; code: string | null } {
  const known = TYPE_BY_STATUS[status];
  if (known) return known;
  if (status >= 500) return { type: 'server_error', code: null };
  return { type: 'invalid_request_error', code: null };
}

/** Retry-After as seconds or an HTTP date, or OpenAI's retry-after-ms; null when absent or unreadable. */
export function parseRetryAfter(
  headers: Record<string, string | string[] | undefined>,
  now: number = Date.now(),
): number | null {
  const ms = first(headers['retry-after-ms']);
  if (ms !== undefined && /^\d+(\.\d+)?$/.test(ms.trim())) return Math.ceil(Number(ms));
  const value = first(headers['retry-after'])?.trim();
  if (!value) return null;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.ceil(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

const first = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value[0] : value;

interface ExtractedError {
  message: string;
  type?: string;
  param?: string | null;
  code?: string | null;
}

const asString = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;

/**
 * Pulls a message (and OpenAI fields when present) out of the error bodies OpenAI-style servers send:
 * OpenAI/Azure `{error:{message,type,param,code}}`, Ollama `{error:"…"}`, vLLM/Mistral
 * `{object:"error",message,…}` (Mistral nests FastAPI `detail` in message), FastAPI `{detail}`.
 */
export function extractErrorFields(text: string): ExtractedError | null {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return text.trim() ? { message: text.trim().slice(0, 500) } : null;
  }
  if (typeof json !== 'object' || json === null) return null;
  const record = json as Record<string, unknown>;
  const inner = record.error;
  if (typeof inner === 'string') return { message: inner };
  if (typeof inner === 'object' && inner !== null) {
    const e = inner as Record<string, unknown>;
    return {
      message: describe(e.message) ?? 'Upstream error',
      type: asString(e.type),
      param: asString(e.param) ?? null,
      code: asString(e.code) ?? null,
    };
  }
  if (record.message !== undefined) {
    return {
      message: describe(record.message) ?? 'Upstream error',
      type: asString(record.type),
      param: asString(record.param) ?? null,
      code: asString(record.code) ?? null,
    };
  }
  if (record.detail !== undefined) return { message: describe(record.detail) ?? 'Upstream error' };
  return null;
}

/** Messages are sometimes structured (FastAPI validation details); flatten them to one readable line. */
function describe(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    const parts = value.map((item) => {
      if (typeof item !== 'object' || item === null) return String(item);
      const d = item as { loc?: unknown; msg?: unknown };
      const loc = Array.isArray(d.loc) ? d.loc.filter((p) => p !== 'body').join('.') : '';
      return loc ? `${loc}: ${String(d.msg ?? '')}` : String(d.msg ?? JSON.stringify(item));
    });
    return parts.join('; ');
  }
  if (typeof value === 'object' && value !== null) {
    const nested = value as { detail?: unknown; message?: unknown };
    return describe(nested.detail ?? nested.message) ?? JSON.stringify(value);
  }
  return undefined;
}

/** The stable code of a provider refusing the gateway's credentials (the call log keeps only it). */
export const CREDENTIALS_REJECTED = 'upstream_credentials_rejected';

/**
 * What the consumer reads when the provider refused the tenant's credentials. Nothing of the provider's
 * message is passed on: providers quote the rejected key back (OpenAI shows its head and tail), and the
 * consumer can do nothing about it anyway.
 */
const credentialsRejectedMessage = (status: number): string =>
  `The provider rejected the gateway's credentials for this model (HTTP ${status}); the API's owner has to renew or correct them.`;

/**
 * The common mapping for any upstream error status, given what could be read from its body. 401/403 (or
 * `credentialRejected`, for providers that say so with another status: Google's 400 API_KEY_INVALID) mean
 * the gateway's credential was refused: a 502 with a generic message. Any other message is passed on with
 * key-like text scrubbed.
 */
export function mapUpstreamError(
  status: number,
  extracted: ExtractedError | null,
  headers: Record<string, string | string[] | undefined>,
  options: { credentialRejected?: boolean } = {},
): ProviderError {
  const credentialRejected = options.credentialRejected === true || status === 401 || status === 403;
  if (credentialRejected) {
    return {
      status: 502,
      body: openAIError(credentialsRejectedMessage(status), 'server_error', null, CREDENTIALS_REJECTED),
      retryable: isRetryableStatus(status),
      retryAfterMs: parseRetryAfter(headers),
    };
  }
  const clientStatus = clientStatusFor(status);
  const canonical = errorTypeForStatus(clientStatus);
  const message = scrubSecrets(extracted?.message ?? `The provider answered HTTP ${status}`);
  const useUpstreamFields = status >= 400 && status < 500;
  return {
    status: clientStatus,
    body: openAIError(
      message,
      useUpstreamFields && extracted?.type ? extracted.type : canonical.type,
      useUpstreamFields ? (extracted?.param ?? null) : null,
      useUpstreamFields && extracted?.code ? extracted.code : canonical.code,
    ),
    retryable: isRetryableStatus(status),
    retryAfterMs: parseRetryAfter(headers),
  };
}

/** Thrown by request builders for requests a provider cannot express; call.ts turns it into a 400. */
export class UnsupportedRequestError extends Error {
  constructor(
    message: string,
    readonly param: string | null = null,
  ) {
    super(message);
    this.name = 'UnsupportedRequestError';
  }
}

/** Thrown by response parsers for 2xx bodies that are not what the provider documents. */
export class InvalidResponseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidResponseError';
  }
}

/** Thrown by stream decoders for an event past their bound; the stream fails as upstream_response_too_large. */
export class ResponseTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`an event of the provider's stream exceeded ${limit} bytes`);
    this.name = 'ResponseTooLargeError';
  }
}
