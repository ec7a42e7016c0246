import { z } from 'zod';
import { type CallOptions, type CallResult, resolveProvider, upstreamOptions } from './call.ts';
import { InvalidResponseError } from './errors.ts';
import type { ProviderDefinition } from './providers/types.ts';
import type { TokenUsage } from './types.ts';
import { aiError, readJson, sendUpstream, translationError, upstreamFailure } from './upstream.ts';
import { type Validated, validate } from './validate.ts';

/*
 * POST /v1/images/generations, passed through in OpenAI's wire format to the providers that offer it
 * (supports.images). Metered by the image: n × the price table's perImage, plus tokens when the
 * provider reports them (gpt-image models do).
 */

const MAX_IMAGES = 10;

/** OpenAI's image generation parameters; anything else is refused rather than sent on unseen. */
const ZImageGenerationRequest = z
  .object({
    model: z.string().min(1).max(200),
    prompt: z.string().min(1).max(32_000),
    n: z.number().int().min(1).max(MAX_IMAGES).optional(),
    size: z.string().max(20).optional(),
    quality: z.string().max(20).optional(),
    response_format: z.enum(['url', 'b64_json']).optional(),
    style: z.string().max(20).optional(),
    background: z.string().max(20).optional(),
    moderation: z.string().max(20).optional(),
    output_format: z.string().max(10).optional(),
    output_compression: z.number().int().min(0).max(100).optional(),
    user: z.string().max(256).optional(),
  })
  .strict();
export type ImageGenerationRequest = z.infer<typeof ZImageGenerationRequest>;

/** Validates a POST /v1/images/generations body (already JSON-parsed); streaming is not offered. */
export function parseImageRequest(body: unknown): Validated<ImageGenerationRequest> {
  return validate(ZImageGenerationRequest, body);
}

const ZImageResponse = z.object({
  created: z.number().optional(),
  data: z.array(z.record(z.string(), z.unknown())),
  usage: z
    .object({
      input_tokens: z.number().int().nonnegative().optional(),
      output_tokens: z.number().int().nonnegative().optional(),
      total_tokens: z.number().int().nonnegative().optional(),
    })
    .loose()
    .optional(),
});
type ImageResponse = z.infer<typeof ZImageResponse>;

export interface ImagesCallOptions extends CallOptions {
  model: string;
  request: ImageGenerationRequest;
}

export interface ImagesOutcome {
  /** the provider's answer as it came (the caller's client reads OpenAI's shape) */
  response: ImageResponse;
  /** images generated: what perImage is charged for */
  images: number;
  /** tokens the provider reported; zero when it reports none (images are priced per image then) */
  usage: TokenUsage;
  latencyMs: number;
}

const unsupported = (provider: ProviderDefinition) =>
  aiError(provider.id, 'unsupported', 400, `${provider.name} does not offer image generation.`, {
    retryable: false,
    type: 'invalid_request_error',
    code: 'unsupported_operation',
  });

export async function callImages(options: ImagesCallOptions): Promise<CallResult<ImagesOutcome>> {
  const provider = resolveProvider(options.provider);
  if ('kind' in provider) return { ok: false, error: provider };
  const build = provider.buildImagesRequest;
  if (!provider.supports.images || !build) return { ok: false, error: unsupported(provider) };
  const upstream = upstreamOptions(options, provider);
  const startedAt = performance.now();
  let spec: ReturnType<typeof build>;
  try {
    spec = build({ ...options.request }, options.model, options.credential);
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
  const parsed = ZImageResponse.safeParse(json.value);
  if (!parsed.success) {
    return {
      ok: false,
      error: translationError(provider.id, new InvalidResponseError('no image list in the answer')),
    };
  }
  const response = parsed.data;
  const promptTokens = response.usage?.input_tokens ?? 0;
  const completionTokens = response.usage?.output_tokens ?? 0;
  return {
    ok: true,
    value: {
      response,
      images: response.data.length,
      usage: {
        promptTokens,
        completionTokens,
        totalTokens: response.usage?.total_tokens ?? promptTokens + completionTokens,
        estimated: false,
      },
      latencyMs: performance.now() - startedAt,
    },
  };
}
