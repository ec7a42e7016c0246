import { type CallOptions, type CallResult, resolveProvider, upstreamOptions } from './call.ts';
import type { ModelInfo, ModelList } from './types.ts';
import { aiError, readJson, sendUpstream, translationError, upstreamFailure } from './upstream.ts';

/** What the price table says of a model (ModelPrice in @portcullis/core, structurally). */
interface ModelMetadata {
  inputPerMillion: string;
  outputPerMillion: string;
  perImage?: string | null | undefined;
  perAudioSecond?: string | null | undefined;
  perCall?: string | null | undefined;
  contextWindow?: number | null | undefined;
  maxOutputTokens?: number | null | undefined;
  inputModalities?: readonly string[] | undefined;
  outputModalities?: readonly string[] | undefined;
}

/** One entry of the gateway's model list: OpenAI's model object plus what the price table tells. */
export interface GatewayModel extends ModelInfo {
  context_window: number | null;
  max_output_tokens: number | null;
  modalities: { input: string[]; output: string[] };
  /** USD as exact decimal strings; null: not priced (the model's calls cost nothing in metering) */
  pricing: {
    input_per_million: string;
    output_per_million: string;
    per_image: string | null;
    per_audio_second: string | null;
    per_call: string | null;
  } | null;
}

export interface ModelEntry {
  id: string;
  ownedBy?: string | undefined;
  created?: number | undefined;
  metadata?: ModelMetadata | undefined;
}

export function gatewayModel(model: ModelEntry): GatewayModel {
  const meta = model.metadata;
  return {
    id: model.id,
    object: 'model',
    created: model.created ?? 0,
    owned_by: model.ownedBy ?? 'portcullis',
    context_window: meta?.contextWindow ?? null,
    max_output_tokens: meta?.maxOutputTokens ?? null,
    modalities: { input: [...(meta?.inputModalities ?? [])], output: [...(meta?.outputModalities ?? [])] },
    pricing: meta
      ? {
          input_per_million: meta.inputPerMillion,
          output_per_million: meta.outputPerMillion,
          per_image: meta.perImage ?? null,
          per_audio_second: meta.perAudioSecond ?? null,
          per_call: meta.perCall ?? null,
        }
      : null,
  };
}

/**
 * GET /v1/models as the gateway answers it: the model names its routes expose (not the providers'
 * catalogues, which would advertise models the consumer cannot call), in OpenAI's list shape so the
 * official clients read it, each with the price table's metadata for the route's primary target.
 */
export function modelList(models: readonly ModelEntry[]): { object: 'list'; data: GatewayModel[] } {
  return { object: 'list', data: models.map(gatewayModel) };
}

/** A provider's own model catalogue, unified (for the portal's model-route editor). */
export async function listProviderModels(options: CallOptions): Promise<CallResult<ModelList>> {
  const provider = resolveProvider(options.provider);
  if ('kind' in provider) return { ok: false, error: provider };
  if (!provider.supports.models || !provider.buildModelsRequest || !provider.parseModelsResponse) {
    return {
      ok: false,
      error: aiError(provider.id, 'unsupported', 400, `${provider.name} does not list its models.`, {
        retryable: false,
        type: 'invalid_request_error',
        code: 'unsupported_operation',
      }),
    };
  }
  const upstream = upstreamOptions(options, provider);
  let spec: ReturnType<typeof provider.buildModelsRequest>;
  try {
    spec = provider.buildModelsRequest(options.credential);
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
  try {
    return { ok: true, value: provider.parseModelsResponse(json.value) };
  } catch (error) {
    return { ok: false, error: translationError(provider.id, error) };
  }
}
