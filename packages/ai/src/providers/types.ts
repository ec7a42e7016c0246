import type { Dispatcher, FormData } from 'undici';
import type { ProviderError } from '../errors.ts';
import type { SseEvent } from '../sse.ts';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionRequest,
  CompletionUsage,
  EmbeddingRequest,
  ModelList,
} from '../types.ts';

/**
 * How the credential travels: `Authorization: Bearer`, Azure's `api-key`, Anthropic's `x-api-key`, Google's
 * `x-goog-api-key`, or a per-request signature computed by the adapter's `authorize` hook (AWS SigV4).
 */
export type AuthStyle = 'bearer' | 'api-key' | 'x-api-key' | 'x-goog-api-key' | 'aws-sigv4' | 'none';

/** One provider account, as decrypted from a ProviderCredential row. */
export interface ProviderCredential {
  apiKey: string;
  /** overrides the provider's default base URL; Azure's resource endpoint goes here (required there) */
  baseUrl?: string;
  /** Azure's `api-version` query parameter */
  apiVersion?: string;
  /** extra upstream headers (OpenRouter attribution, OpenAI organization/project) */
  headers?: Record<string, string>;
}

export interface ProviderHttpRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** instead of `body`: a multipart form (undici writes it and its content-type with the boundary) */
  form?: FormData;
}

/** What an `authorize` hook may use for its own requests (token exchanges): the call's transport and clock. */
export interface AuthorizeContext {
  /** the call's dispatcher (the gateway's per-org SSRF-guarded one): auth endpoints are tenant input too */
  dispatcher: Dispatcher;
  /** aborts with the call (caller gone or its deadline passed) */
  signal: AbortSignal;
}

export type HeaderMap = Record<string, string | string[] | undefined>;

/** Turns a 2xx streamed body's bytes into events for the stream translator; SSE unless the adapter says otherwise. */
export interface StreamDecoder {
  /** may throw on bytes that cannot be framed (the call then fails as an unreadable answer) */
  pushBytes(bytes: Uint8Array): void;
  /** the body ended; dispatch what is complete */
  end(): void;
}

/** Receives each unified chunk as soon as it is translated. */
export type ChunkSink = (chunk: ChatCompletionChunk) => void;

/**
 * Consumes one provider's SSE events and emits OpenAI `chat.completion.chunk`s through the sink given at
 * creation: content and tool-call deltas as they come, a finish chunk, and, once the provider has reported
 * usage, a final chunk with `choices: []` and `usage` (at the protocol's end or at `end()`).
 */
export interface StreamTranslator {
  push(event: SseEvent): void;
  /** the upstream body ended; flush what is owed */
  end(): void;
  /** the protocol's own end marker was seen (`[DONE]`, `message_stop`) */
  readonly done: boolean;
  /** an error the provider sent inside the stream */
  readonly error: ProviderError | null;
  /** usage as the provider reported it, null until then */
  readonly usage: CompletionUsage | null;
  /**
   * the prompt side of the usage when the provider reports it before the end (Anthropic's message_start),
   * so a stream that ends early is metered with the provider's count; null when it does not
   */
  readonly inputUsage: InputUsage | null;
}

export interface InputUsage {
  promptTokens: number;
  /** of promptTokens, those read from the provider's prompt cache */
  cachedPromptTokens: number;
}

/** One of a split embeddings call's requests and the texts it carries, in their order. */
export interface EmbeddingsBatch extends ProviderHttpRequest {
  /** its answer must hold exactly one vector per text: a count that is off misaligns every later index */
  texts: readonly string[];
}

export interface EmbeddingResult {
  vectors: number[][];
  /** null when the provider does not report it (then estimated) */
  promptTokens: number | null;
  model: string;
}

export interface ProviderSupports {
  chat: boolean;
  stream: boolean;
  embeddings: boolean;
  tools: boolean;
  models: boolean;
  /** POST /images/generations (OpenAI's wire format) */
  images: boolean;
  /** POST /audio/transcriptions (OpenAI's multipart wire format) */
  audio: boolean;
}

/**
 * A provider adapter: pure translation, no I/O. `call.ts` does the HTTP; the gateway picks the definition
 * from the registry by id. Builders may throw `UnsupportedRequestError`, parsers `InvalidResponseError`.
 */
export interface ProviderDefinition {
  id: string;
  name: string;
  /** null when every credential must bring its own (Azure resource endpoints) */
  defaultBaseUrl: string | null;
  auth: AuthStyle;
  supports: ProviderSupports;
  buildRequest(
    request: ChatCompletionRequest,
    model: string,
    credential: ProviderCredential,
  ): ProviderHttpRequest;
  /** `request` is the unified request the answer is for (what the builder was given) */
  parseResponse(json: unknown, model: string, request?: ChatCompletionRequest): ChatCompletion;
  createStreamTranslator(model: string, emit: ChunkSink, request?: ChatCompletionRequest): StreamTranslator;
  mapError(status: number, body: string, headers: HeaderMap): ProviderError;
  /** Streams not framed as SSE (AWS event stream): a decoder handing the translator one event per frame. */
  createStreamDecoder?(onEvent: (event: SseEvent) => void): StreamDecoder;
  buildEmbeddingsRequest?(
    request: EmbeddingRequest,
    model: string,
    credential: ProviderCredential,
  ): ProviderHttpRequest;
  /**
   * Instead of `buildEmbeddingsRequest`, for providers that embed fewer texts per call than a caller may
   * send (Titan takes one text, Cohere on Bedrock 96): the requests are sent a few at a time and their
   * vectors joined in order. Texts the provider always refuses are refused here, before any is sent: the
   * requests answered before a refused one would be billed for nothing.
   */
  buildEmbeddingsRequests?(
    request: EmbeddingRequest,
    model: string,
    credential: ProviderCredential,
  ): EmbeddingsBatch[];
  /** parses one answer (one of several, when the builder split the input) */
  parseEmbeddingsResponse?(json: unknown, model: string): EmbeddingResult;
  buildModelsRequest?(credential: ProviderCredential): ProviderHttpRequest;
  /** the caller's validated image request as JSON, `model` replaced by the provider's */
  buildImagesRequest?(
    body: Record<string, unknown>,
    model: string,
    credential: ProviderCredential,
  ): ProviderHttpRequest;
  /** the caller's transcription form, `model` replaced by the provider's */
  buildTranscriptionRequest?(
    form: FormData,
    model: string,
    credential: ProviderCredential,
  ): ProviderHttpRequest;
  parseModelsResponse?(json: unknown): ModelList;
  /**
   * Signs or authenticates a built request just before it is sent, for auth that static headers cannot
   * express (OAuth tokens minted from a service-account key, request signatures). May do I/O through
   * `context`; rejects with `ProviderAuthError` when the credential is refused.
   */
  authorize?(
    request: ProviderHttpRequest,
    credential: ProviderCredential,
    context: AuthorizeContext,
  ): Promise<ProviderHttpRequest>;
  /**
   * The provider answered 401 to a request `authorize` prepared: whatever it cached for that request
   * (an access token revoked before its expiry) is forgotten, so the next call authenticates afresh.
   */
  unauthorized?(
    request: ProviderHttpRequest,
    credential: ProviderCredential,
    context: AuthorizeContext,
  ): void;
}
