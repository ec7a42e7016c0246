import type { Dispatcher } from 'undici';
import type { AiCallError } from './errors.ts';
import { getProvider } from './providers/index.ts';
import type { ProviderCredential, ProviderDefinition } from './providers/types.ts';
import { openUnifiedStream, toTokenUsage, type UnifiedStream } from './stream-call.ts';
import { estimateCompletionTokens, estimateTokens, loadTokenizer } from './tokens.ts';
import type { ChatCompletion, ChatCompletionRequest, CompletionUsage, TokenUsage } from './types.ts';
import {
  aiError,
  DEFAULT_TIMEOUT_MS,
  readJson,
  sendUpstream,
  type TraceHeaders,
  translationError,
  type UpstreamOptions,
  upstreamFailure,
} from './upstream.ts';

export type { AiCallError } from './errors.ts';

export type CallResult<T> = { ok: true; value: T } | { ok: false; error: AiCallError };

export interface CallOptions {
  /** an adapter, or a registered provider id ("openai", "anthropic", "groq", …) */
  provider: ProviderDefinition | string;
  credential: ProviderCredential;
  signal?: AbortSignal;
  /** until the provider's response headers (non-streamed: the whole answer); default 120 s */
  timeoutMs?: number;
  /** streams: longest pause between tokens; default `timeoutMs` */
  idleTimeoutMs?: number;
  /** e.g. the gateway's SSRF-guarded Agent; default a shared keep-alive Agent */
  dispatcher?: Dispatcher;
  /** W3C `traceparent` (and `tracestate`) for the provider call; absent: none is sent */
  traceHeaders?: TraceHeaders;
}

export interface ChatCallOptions extends CallOptions {
  /** the provider's model id (Azure: the deployment name) */
  model: string;
  /** the validated unified request; its `model` is the client's name and is not sent upstream */
  request: ChatCompletionRequest;
}

export interface CompletionOutcome {
  kind: 'completion';
  completion: ChatCompletion;
  usage: TokenUsage;
  latencyMs: number;
  /** the model the provider says answered (the completion carries the caller's name instead) */
  responseModel: string;
}

export interface StreamOutcome {
  kind: 'stream';
  stream: UnifiedStream;
}

export function resolveProvider(provider: ProviderDefinition | string): ProviderDefinition | AiCallError {
  if (typeof provider !== 'string') return provider;
  return (
    getProvider(provider) ??
    aiError(provider, 'unsupported', 500, `No adapter is registered for provider '${provider}'.`, {
      retryable: false,
    })
  );
}

export function upstreamOptions(options: CallOptions, provider: ProviderDefinition): UpstreamOptions {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return {
    provider,
    credential: options.credential,
    signal: options.signal,
    timeoutMs,
    idleTimeoutMs: options.idleTimeoutMs ?? timeoutMs,
    dispatcher: options.dispatcher,
    traceHeaders: options.traceHeaders,
  };
}

/** Counts a completion that came without usage; the tokenizer is loaded first so the count is real. */
async function estimateCompletionUsage(
  completion: ChatCompletion,
  request: ChatCompletionRequest,
  model: string,
): Promise<CompletionUsage> {
  await loadTokenizer(model).catch(() => undefined);
  const prompt = estimateTokens(request.messages, model, request.tools).tokens;
  let completionTokens = 0;
  for (const choice of completion.choices) {
    const calls = (choice.message.tool_calls ?? []).map((call) => call.function);
    completionTokens += estimateCompletionTokens(choice.message.content ?? '', calls, model).tokens;
  }
  return {
    prompt_tokens: prompt,
    completion_tokens: completionTokens,
    total_tokens: prompt + completionTokens,
  };
}

/**
 * One chat completion against one provider. `request.stream` decides the outcome: a whole completion,
 * or a stream that is returned once its first chunk is in hand (so a provider failing at the start is
 * still an error result the gateway can fall back from). Either answers with `request.model` as its
 * model, whatever the provider calls it. Never throws.
 */
export async function callProvider(
  options: ChatCallOptions,
): Promise<CallResult<CompletionOutcome | StreamOutcome>> {
  const provider = resolveProvider(options.provider);
  if ('kind' in provider) return { ok: false, error: provider };
  const streaming = options.request.stream === true;
  if (!provider.supports.chat || (streaming && !provider.supports.stream)) {
    const what = streaming ? 'streamed chat completions' : 'chat completions';
    return {
      ok: false,
      error: aiError(provider.id, 'unsupported', 400, `${provider.name} does not offer ${what}.`, {
        retryable: false,
        type: 'invalid_request_error',
        code: 'unsupported_operation',
      }),
    };
  }
  const upstream = upstreamOptions(options, provider);
  const startedAt = performance.now();
  let spec: ReturnType<ProviderDefinition['buildRequest']>;
  try {
    spec = provider.buildRequest(options.request, options.model, options.credential);
  } catch (error) {
    return { ok: false, error: translationError(provider.id, error) };
  }
  const sent = await sendUpstream(spec, upstream);
  if (!sent.ok) return sent;
  const response = sent.value;
  if (response.statusCode < 200 || response.statusCode >= 300) {
    return { ok: false, error: await upstreamFailure(response, upstream) };
  }
  if (streaming) {
    const opened = await openUnifiedStream(response, upstream, options.request, options.model, startedAt);
    return opened.ok ? { ok: true, value: { kind: 'stream', stream: opened.value } } : opened;
  }
  const json = await readJson(response, upstream);
  if (!json.ok) return json;
  let completion: ChatCompletion;
  try {
    completion = provider.parseResponse(json.value, options.model, options.request);
  } catch (error) {
    return { ok: false, error: translationError(provider.id, error) };
  }
  const responseModel = completion.model;
  // Callers get the name they asked for, not the provider's (often a dated snapshot of it).
  completion.model = options.request.model;
  let estimated = false;
  if (!completion.usage) {
    completion.usage = await estimateCompletionUsage(completion, options.request, options.model);
    estimated = true;
  }
  return {
    ok: true,
    value: {
      kind: 'completion',
      completion,
      usage: toTokenUsage(completion.usage, estimated),
      latencyMs: performance.now() - startedAt,
      responseModel,
    },
  };
}
