import { type CallOptions, type CallResult, resolveProvider, upstreamOptions } from './call.ts';
import { type AiCallError, InvalidResponseError } from './errors.ts';
import type {
  EmbeddingResult,
  EmbeddingsBatch,
  ProviderDefinition,
  ProviderHttpRequest,
} from './providers/types.ts';
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

/** One request of a split call as the provider answered (and billed) it. */
interface AnsweredBatch {
  vectors: number[][];
  tokens: number;
  estimated: boolean;
}

/** An answered request's tokens: as the provider reported them, else its own texts' estimate. */
async function answeredBatch(result: EmbeddingResult, texts: readonly string[], model: string) {
  const tokens = result.promptTokens ?? (await estimateInputTokens([...texts], model));
  return { vectors: result.vectors, tokens, estimated: result.promptTokens === null };
}

/** What the answered requests used together; null when none was answered. */
function usageOf(answered: readonly (AnsweredBatch | undefined)[]): TokenUsage | null {
  const done = answered.filter((batch) => batch !== undefined);
  if (done.length === 0) return null;
  const promptTokens = done.reduce((sum, batch) => sum + batch.tokens, 0);
  const estimated = done.some((batch) => batch.estimated);
  return { promptTokens, completionTokens: 0, totalTokens: promptTokens, estimated };
}

/** A request that answered another number of vectors than it was sent texts. */
function miscount(provider: string, index: number, vectors: number, texts: number): AiCallError {
  const error = new InvalidResponseError(
    `request ${index + 1} of the call answered ${vectors} vectors for its ${texts} inputs`,
  );
  return translationError(provider, error);
}

/**
 * The requests of one split call, at most EMBEDDINGS_FANOUT at a time and all within the call's one
 * timeout. Each must answer one vector per text it carries (a miscount would shift every later index,
 * even when the totals agree). After the first failure no further request is sent, but those in flight
 * are let finish: the provider bills each request it answers, so the failure carries their usage
 * (`billed`) for the gateway to meter. The first failure answers for the call (a partial list of vectors
 * would misalign the caller's indexes); vectors keep the requests' order, tokens are summed.
 */
async function embedAll(
  batches: readonly EmbeddingsBatch[],
  upstream: UpstreamOptions,
  parse: ParseEmbeddings,
  model: string,
): Promise<CallResult<{ vectors: number[][]; usage: TokenUsage }>> {
  const endsAt = performance.now() + upstream.timeoutMs;
  const answered: (AnsweredBatch | undefined)[] = [];
  const state: { next: number; failure: AiCallError | null } = { next: 0, failure: null };
  const worker = async () => {
    while (state.failure === null && state.next < batches.length) {
      const index = state.next++;
      const batch = batches[index] as EmbeddingsBatch;
      const timeoutMs = remainingTime(upstream, endsAt);
      const outcome = await embedOnce(batch, { ...upstream, timeoutMs }, parse, model);
      if (!outcome.ok) {
        state.failure ??= outcome.error;
        continue;
      }
      answered[index] = await answeredBatch(outcome.value, batch.texts, model);
      if (outcome.value.vectors.length !== batch.texts.length) {
        state.failure ??= miscount(
          upstream.provider.id,
          index,
          outcome.value.vectors.length,
          batch.texts.length,
        );
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(EMBEDDINGS_FANOUT, batches.length) }, worker));
  const usage = usageOf(answered);
  if (state.failure) {
    return { ok: false, error: usage ? { ...state.failure, billed: usage } : state.failure };
  }
  const vectors = answered.flatMap((batch) => batch?.vectors ?? []);
  const none: TokenUsage = { promptTokens: 0, completionTokens: 0, totalTokens: 0, estimated: false };
  return { ok: true, value: { vectors, usage: usage ?? none } };
}

/** A provider that embeds the whole input in one request: tokens as reported, else estimated. */
async function embedWhole(
  spec: ProviderHttpRequest,
  upstream: UpstreamOptions,
  parse: ParseEmbeddings,
  options: EmbeddingsCallOptions,
): Promise<CallResult<{ vectors: number[][]; usage: TokenUsage }>> {
  const embedded = await embedOnce(spec, upstream, parse, options.model);
  if (!embedded.ok) return embedded;
  const { vectors, promptTokens: reported } = embedded.value;
  const promptTokens = reported ?? (await estimateInputTokens(options.request.input, options.model));
  const usage = {
    promptTokens,
    completionTokens: 0,
    totalTokens: promptTokens,
    estimated: reported === null,
  };
  return { ok: true, value: { vectors, usage } };
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
  let specs: ProviderHttpRequest | EmbeddingsBatch[];
  try {
    specs = build(options.request, options.model, options.credential);
  } catch (error) {
    return { ok: false, error: translationError(provider.id, error) };
  }
  const embedded = Array.isArray(specs)
    ? await embedAll(specs, upstream, parse, options.model)
    : await embedWhole(specs, upstream, parse, options);
  if (!embedded.ok) return embedded;
  const { vectors, usage } = embedded.value;
  if (vectors.length !== inputCount(options.request.input)) {
    const error = new InvalidResponseError(
      `${vectors.length} vectors came back for ${inputCount(options.request.input)} inputs`,
    );
    return { ok: false, error: { ...translationError(provider.id, error), billed: usage } };
  }
  const promptTokens = usage.promptTokens;
  const base64 = options.request.encoding_format === 'base64';
  return {
    ok: true,
    value: {
      response: {
        object: 'list',
        data: vectors.map((vector, index) => ({
          object: 'embedding',
          index,
          embedding: base64 ? encodeEmbeddingBase64(vector) : vector,
        })),
        // the name the caller asked for, as chat completions answer
        model: options.request.model,
        usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
      },
      usage,
      latencyMs: performance.now() - startedAt,
    },
  };
}
