import { type CallOptions, type CallResult, resolveProvider, upstreamOptions } from './call.ts';
import type { ProviderDefinition } from './providers/types.ts';
import { estimateTokens, loadTokenizer } from './tokens.ts';
import type { EmbeddingRequest, EmbeddingResponse, TokenUsage } from './types.ts';
import { aiError, readJson, sendUpstream, translationError, upstreamFailure } from './upstream.ts';

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

/**
 * POST /v1/embeddings against one provider. Vectors are always fetched as floats and encoded as base64
 * here when the client asked for it (the official openai client asks by default).
 */
export async function callEmbeddings(options: EmbeddingsCallOptions): Promise<CallResult<EmbeddingsOutcome>> {
  const provider = resolveProvider(options.provider);
  if ('kind' in provider) return { ok: false, error: provider };
  const build = provider.buildEmbeddingsRequest;
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
  let spec: ReturnType<NonNullable<ProviderDefinition['buildEmbeddingsRequest']>>;
  try {
    spec = build(options.request, options.model, options.credential);
  } catch (error) {
    return { ok: false, error: translationError(provider.id, error) };
  }
  const sent = await sendUpstream(spec, upstream);
  if (!sent.ok) return sent;
  if (sent.value.statusCode < 200 || sent.value.statusCode >= 300) {
    return { ok: false, error: await upstreamFailure(sent.value, upstream) };
  }
  const json = await readJson(sent.value, upstream);
  if (!json.ok) return json;
  let result: ReturnType<typeof parse>;
  try {
    result = parse(json.value, options.model);
  } catch (error) {
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
