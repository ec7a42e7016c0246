import { type CallOptions, type CallResult, resolveProvider, upstreamOptions } from './call.ts';
import type { ModelList } from './types.ts';
import { aiError, readJson, sendUpstream, translationError, upstreamFailure } from './upstream.ts';

/**
 * GET /v1/models as the gateway answers it: the model names its routes expose (not the providers'
 * catalogues, which would advertise models the consumer cannot call).
 */
export function modelList(models: readonly { id: string; ownedBy?: string; created?: number }[]): ModelList {
  return {
    object: 'list',
    data: models.map((model) => ({
      id: model.id,
      object: 'model',
      created: model.created ?? 0,
      owned_by: model.ownedBy ?? 'portcullis',
    })),
  };
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
