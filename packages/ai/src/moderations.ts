import { type CallOptions, type CallResult, resolveProvider, upstreamOptions } from './call.ts';
import { authHeaders, isRecord, resolveBaseUrl } from './providers/shared.ts';
import type { ProviderDefinition } from './providers/types.ts';
import { aiError, readJson, sendUpstream, upstreamFailure } from './upstream.ts';

/*
 * OpenAI's POST /v1/moderations (and OpenAI-compatible servers that offer it): the passthrough on AI APIs
 * and the guardrails' moderation rule both call it through here.
 */

/** Providers whose API has /moderations in OpenAI's shape. */
const MODERATION_PROVIDERS = new Set(['openai', 'openai-compatible']);

const supportsModerations = (provider: ProviderDefinition): boolean => MODERATION_PROVIDERS.has(provider.id);

export interface ModerationResult {
  flagged: boolean;
  categories: Record<string, boolean>;
  category_scores: Record<string, number>;
}

export interface ModerationsCallOptions extends CallOptions {
  /** the provider's moderation model */
  model: string;
  /** a string, a list of strings, or OpenAI's multi-modal input list: passed on as is */
  input: unknown;
}

export interface ModerationsOutcome {
  /** the provider's answer, its `model` the one the caller asked for when `answerModel` is given */
  response: { id: string; model: string; results: ModerationResult[] } & Record<string, unknown>;
  results: ModerationResult[];
  latencyMs: number;
}

function parseResult(value: unknown): ModerationResult | null {
  if (!isRecord(value) || typeof value.flagged !== 'boolean' || !isRecord(value.categories)) return null;
  const categories: Record<string, boolean> = {};
  for (const [name, on] of Object.entries(value.categories)) categories[name] = on === true;
  const scores: Record<string, number> = {};
  if (isRecord(value.category_scores)) {
    for (const [name, score] of Object.entries(value.category_scores)) {
      if (typeof score === 'number') scores[name] = score;
    }
  }
  return { flagged: value.flagged, categories, category_scores: scores };
}

/** One moderations call. Never throws; a provider without the endpoint is a 400 `unsupported_operation`. */
export async function callModerations(
  options: ModerationsCallOptions,
): Promise<CallResult<ModerationsOutcome>> {
  const provider = resolveProvider(options.provider);
  if ('kind' in provider) return { ok: false, error: provider };
  if (!supportsModerations(provider)) {
    return {
      ok: false,
      error: aiError(provider.id, 'unsupported', 400, `${provider.name} does not offer moderations.`, {
        retryable: false,
        type: 'invalid_request_error',
        code: 'unsupported_operation',
      }),
    };
  }
  const upstream = upstreamOptions(options, provider);
  const startedAt = performance.now();
  let base: string;
  try {
    base = resolveBaseUrl(provider.defaultBaseUrl, options.credential, provider.name);
  } catch (error) {
    return {
      ok: false,
      error: aiError(provider.id, 'unsupported', 400, (error as Error).message, { retryable: false }),
    };
  }
  const sent = await sendUpstream(
    {
      method: 'POST',
      url: `${base}/moderations`,
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        ...options.credential.headers,
        ...authHeaders(provider.auth, options.credential.apiKey),
      },
      body: JSON.stringify({ model: options.model, input: options.input }),
    },
    upstream,
  );
  if (!sent.ok) return sent;
  if (sent.value.statusCode < 200 || sent.value.statusCode >= 300) {
    return { ok: false, error: await upstreamFailure(sent.value, upstream) };
  }
  const json = await readJson(sent.value, upstream);
  if (!json.ok) return json;
  const body = json.value;
  const results = isRecord(body) && Array.isArray(body.results) ? body.results.map(parseResult) : null;
  if (!isRecord(body) || !results || results.some((r) => r === null)) {
    return {
      ok: false,
      error: aiError(provider.id, 'invalid_response', 502, 'The moderation answer could not be read.', {
        retryable: false,
      }),
    };
  }
  const parsed = results as ModerationResult[];
  return {
    ok: true,
    value: {
      response: {
        ...body,
        id: typeof body.id === 'string' ? body.id : '',
        model: typeof body.model === 'string' ? body.model : options.model,
        results: parsed,
      },
      results: parsed,
      latencyMs: performance.now() - startedAt,
    },
  };
}

/**
 * Which flagged categories block: with a list, only those (a flagged result in another category is
 * let through and recorded); without one, any flagged result.
 */
export function blockingCategories(results: readonly ModerationResult[], categories: readonly string[]) {
  const flagged = new Set<string>();
  for (const result of results) {
    if (!result.flagged) continue;
    for (const [name, on] of Object.entries(result.categories)) if (on) flagged.add(name);
  }
  const anyFlagged = results.some((r) => r.flagged);
  const blocking =
    categories.length === 0 ? [...flagged] : [...flagged].filter((c) => categories.includes(c));
  return {
    flagged: [...flagged],
    anyFlagged,
    blocks: categories.length === 0 ? anyFlagged : blocking.length > 0,
    blocking,
  };
}
