import { type CallOptions, type CallResult, resolveProvider, upstreamOptions } from './call.ts';
import { type AiCallError, InvalidResponseError } from './errors.ts';
import type { EmbeddingResult, ProviderDefinition, ProviderHttpRequest } from './providers/types.ts';
import { estimateTokens, loadTokenizer } from './tokens.ts';
import type { EmbeddingRequest, EmbeddingResponse, TokenUsage } from './types.ts';
import {
  aiError,
  readJson,
  sendUpstream,
  translationError,
  type UpstreamOptions,
  upstreamFailure,
} from './upstream.ts';

export interface EmbeddingsCallOptions extends CallOptions {
  model: string;
  request: EmbeddingRequest;
}

export interface EmbeddingsOutcome {
  response: EmbeddingResponse;
  usage: TokenUsage;
  latencyMs: number;
}

/** OpenAI's base64 embedding format: the float32 vector's little-endian bytes. */
function encodeEmbeddingBase64(vector: readonly number[]): string {
  const floats = Float32Array.from(vector);
  return Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength).toString('base64');
}

async function estimateInputTokens(input: EmbeddingRequest['input'], model: string): Promise<number> {
  if (typeof input === 'string') {
    await loadTokenizer(model).catch(() => undefined);
    return estimateTokens(input, model).tokens;
  }
  let tokens = 0;
  for (const item of input) {
    if (typeof item === 'number') tokens += 1;
    else if (Array.isArray(item)) tokens += item.length;
    else {
      await loadTokenizer(model).catch(() => undefined);
      tokens += estimateTokens(item, model).tokens;
    }
  }
  return tokens;
}

/** How many of one call's provider requests are in flight at once when the builder split its input. */
export const EMBEDDINGS_FANOUT = 4;

type ParseEmbeddings = NonNullable<ProviderDefinition['parseEmbeddingsResponse']>;

/** One built request sent and its answer parsed. */
async function embedOnce(
  spec: ProviderHttpRequest,
  upstream: UpstreamOptions,
  parse: ParseEmbeddings,
  model: string,
): Promise<CallResult<EmbeddingResult>> {
  const sent = await sendUpstream(spec, upstream);
  if (!sent.ok) return sent;
  if (sent.value.statusCode < 200 || sent.value.statusCode >= 300) {
    return { ok: false, error: await upstreamFailure(sent.value, upstream) };
  }
  const json = await readJson(sent.value, upstream);
  if (!json.ok) return json;
  try {
    return { ok: true, value: parse(json.value, model) };
  } catch (error) {
    return { ok: false, error: translationError(upstream.provider.id, error) };
  }
}

/** The call's deadline split over requests sent one after another: each gets what is left of it. */
function remainingTime(upstream: UpstreamOptions, endsAt: number): number {
  if (!(upstream.timeoutMs > 0 && Number.isFinite(upstream.timeoutMs))) return upstream.timeoutMs;
  return Math.max(1, endsAt - performance.now());
}

/**
 * The requests of one split call, at most EMBEDDINGS_FANOUT at a time and all within the call's one
 * timeout. The first failure cancels the others and answers for the call (a partial list of vectors
 * would misalign the caller's indexes); vectors keep the requests' order, tokens are summed.
 */
async function embedAll(
  specs: readonly ProviderHttpRequest[],
  upstream: UpstreamOptions,
  parse: ParseEmbeddings,
  model: string,
): Promise<CallResult<EmbeddingResult>> {
  const siblings = new AbortController();
  const signal = upstream.signal ? AbortSignal.any([upstream.signal, siblings.signal]) : siblings.signal;
  const endsAt = performance.now() + upstream.timeoutMs;
  const results: EmbeddingResult[] = [];
  const state: { next: number; failure: AiCallError | null } = { next: 0, failure: null };
  const worker = async () => {
    while (state.failure === null && state.next < specs.length) {
      const index = state.next++;
      const spec = specs[index] as ProviderHttpRequest;
      const timeoutMs = remainingTime(upstream, endsAt);
      const outcome = await embedOnce(spec, { ...upstream, signal, timeoutMs }, parse, model);
      if (outcome.ok) results[index] = outcome.value;
      else if (state.failure === null) {
        state.failure = outcome.error;
        siblings.abort();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(EMBEDDINGS_FANOUT, specs.length) }, worker));
  if (state.failure) return { ok: false, error: state.failure };
  const counted = results.every((result) => result.promptTokens !== null);
  return {
    ok: true,
    value: {
      vectors: results.flatMap((result) => result.vectors),
      promptTokens: counted ? results.reduce((sum, result) => sum + (result.promptTokens ?? 0), 0) : null,
      model,
    },
  };
}

/** How many vectors an input asks for: one per text or token array (a flat token array is one input). */
function inputCount(input: EmbeddingRequest['input']): number {
  if (typeof input === 'string') return 1;
  return input.every((item) => typeof item === 'number') ? 1 : input.length;
}

/**
 * POST /v1/embeddings against one provider. Vectors are always fetched as floats and encoded as base64
 * here when the client asked for it (the official openai client asks by default).
 */
export async function callEmbeddings(options: EmbeddingsCallOptions): Promise<CallResult<EmbeddingsOutcome>> {
  const provider = resolveProvider(options.provider);
  if ('kind' in provider) return { ok: false, error: provider };
  const build = provider.buildEmbeddingsRequests ?? provider.buildEmbeddingsRequest;
  const parse = provider.parseEmbeddingsResponse;
  if (!provider.supports.embeddings || !build || !parse) {
    return {
      ok: false,
      error: aiError(provider.id, 'unsupported', 400, `${provider.name} does not offer embeddings.`, {
        retryable: false,
        type: 'invalid_request_error',
        code: 'unsupported_operation',
      }),
    };
  }
  const upstream = upstreamOptions(options, provider);
  const startedAt = performance.now();
  let specs: ProviderHttpRequest | ProviderHttpRequest[];
  try {
    specs = build(options.request, options.model, options.credential);
  } catch (error) {
    return { ok: false, error: translationError(provider.id, error) };
  }
  const embedded = Array.isArray(specs)
    ? await embedAll(specs, upstream, parse, options.model)
    : await embedOnce(specs, upstream, parse, options.model);
  if (!embedded.ok) return embedded;
  const result = embedded.value;
  if (result.vectors.length !== inputCount(options.request.input)) {
    const error = new InvalidResponseError(
      `${result.vectors.length} vectors came back for ${inputCount(options.request.input)} inputs`,
    );
    return { ok: false, error: translationError(provider.id, error) };
  }
  const estimated = result.promptTokens === null;
  const promptTokens =
    result.promptTokens ?? (await estimateInputTokens(options.request.input, options.model));
  const base64 = options.request.encoding_format === 'base64';
  return {
    ok: true,
    value: {
      response: {
        object: 'list',
        data: result.vectors.map((vector, index) => ({
          object: 'embedding',
          index,
          embedding: base64 ? encodeEmbeddingBase64(vector) : vector,
        })),
        // the name the caller asked for, as chat completions answer
        model: options.request.model,
        usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
      },
      usage: { promptTokens, completionTokens: 0, totalTokens: promptTokens, estimated },
      latencyMs: performance.now() - startedAt,
    },
  };
}
