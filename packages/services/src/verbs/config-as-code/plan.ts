import { ZAiGatewayConfig, ZPromptConfig } from '@portcullis/core/ai-config';
import { conflict } from '@portcullis/core/errors';
import { ZApiMcpConfig } from '@portcullis/core/mcp/config';
import { ZApiPolicies, ZUpstreamConfig } from '@portcullis/core/policies';
import { deleteAiPrice, setAiPrice } from '../ai-prices.ts';
import { setAnonymousBrowse } from '../api-share.ts';
import { inTransaction, notifyConfig, type OrgCtx, writeAudit } from '../context.ts';
import { retireApi } from '../lifecycle.ts';
import { checkApiPolicies } from '../policies.ts';
import { changedFields, type Step } from './change.ts';
import { aiFromDocument, aiToDocument, type MissingCredential } from './credentials.ts';
import type { ConfigState } from './export.ts';
import type { ConfigAiPrice, ConfigApi, ConfigDocument } from './schema.ts';
import {
  createApiStep,
  createdBaseline,
  type DesiredApi,
  lifecycleStep,
  updateApiStep,
} from './steps-api.ts';
import { planSteps } from './steps-plan.ts';
import { promptReleaseStep, promptVersionSteps } from './steps-prompt.ts';

export interface MissingCredentialRef extends MissingCredential {
  /** where in the document: `apis.<i>.ai.routes.<j>.targets.<k>.credential` */
  path: string;
}

const DEFAULTS = {
  upstream: ZUpstreamConfig.parse({}),
  policies: ZApiPolicies.parse({}),
  mcp: ZApiMcpConfig.parse({}),
};

/** Policies as the verb stores them (canonical CIDRs and origins); an invalid document is left for it to report. */
function canonicalPolicies(policies: ConfigApi['policies']): ConfigApi['policies'] {
  try {
    return checkApiPolicies(policies);
  } catch {
    return policies;
  }
}

/**
 * The entry as the verbs would store it, for comparing with the stored one: canonical policies, and the
 * `ai` document with defaults filled (credential names kept) beside `aiConfig` with the names resolved.
 */
function desiredApi(
  raw: ConfigApi,
  state: ConfigState,
  path: string,
  missing: MissingCredentialRef[],
): DesiredApi {
  const api = { ...raw, policies: canonicalPolicies(raw.policies) };
  // An AI API always has a gateway document: leaving it out means the empty one.
  const ai = api.kind === 'AI' ? (api.ai ?? {}) : api.ai;
  if (ai === null) return { ...api, aiConfig: null };
  const { config, missing: absent } = aiFromDocument(ai, state.credentials);
  for (const m of absent) missing.push({ name: m.name, path: `${path}.ai.${m.path}` });
  const parsed = (api.kind === 'PROMPT' ? ZPromptConfig : ZAiGatewayConfig).safeParse(config);
  if (!parsed.success) return { ...api, ai, aiConfig: config };
  const nameOf = new Map([...state.credentials].map(([name, id]) => [id, name]));
  return { ...api, ai: aiToDocument(parsed.data as Record<string, unknown>, nameOf), aiConfig: config };
}

const PRICE_FIELDS = [
  'inputPerMillion',
  'outputPerMillion',
  'perImage',
  'perAudioSecond',
  'perCall',
  'contextWindow',
  'maxOutputTokens',
  'inputModalities',
  'outputModalities',
] as const;

/** A document price row with every column present: a column left out is unset (null, no modalities). */
function priceColumns(price: ConfigAiPrice) {
  return {
    inputPerMillion: price.inputPerMillion,
    outputPerMillion: price.outputPerMillion,
    perImage: price.perImage ?? null,
    perAudioSecond: price.perAudioSecond ?? null,
    perCall: price.perCall ?? null,
    contextWindow: price.contextWindow ?? null,
    maxOutputTokens: price.maxOutputTokens ?? null,
    inputModalities: price.inputModalities ?? [],
    outputModalities: price.outputModalities ?? [],
  };
}

function priceSteps(state: ConfigState, doc: ConfigDocument, prune: boolean): Step[] {
  const steps: Step[] = [];
  const current = new Map(state.document.aiModelPrices.map((p) => [`${p.provider}/${p.model}`, p]));
  doc.aiModelPrices.forEach((price, i) => {
    const name = `${price.provider}/${price.model}`;
    const before = current.get(name);
    const wanted = priceColumns(price);
    const fields = changedFields<Record<(typeof PRICE_FIELDS)[number], unknown>>(
      before ? priceColumns(before) : { ...wanted, inputPerMillion: null, outputPerMillion: null },
      wanted,
      PRICE_FIELDS,
    );
    if (fields.length === 0) return;
    const priceId = state.prices.get(name);
    steps.push({
      path: `aiModelPrices.${i}`,
      change: {
        action: before ? 'update' : 'create',
        kind: 'aiPrice',
        name,
        fields,
        permissions: ['policy.write'],
      },
      run: async (ctx) => {
        await setAiPrice(ctx, { ...price, ...wanted, ...(priceId ? { priceId } : {}) });
      },
    });
  });
  if (prune) {
    const wanted = new Set(doc.aiModelPrices.map((p) => `${p.provider}/${p.model}`));
    for (const [name, priceId] of state.prices) {
      if (wanted.has(name)) continue;
      steps.push({
        path: 'aiModelPrices',
        change: { action: 'delete', kind: 'aiPrice', name, fields: [], permissions: ['policy.write'] },
        run: async (ctx) => {
          await deleteAiPrice(ctx, { priceId });
        },
      });
    }
  }
  return steps;
}

/** A draft never had consumers; anything further along is retired through the lifecycle instead. */
async function deleteDraftApi(ctx: OrgCtx, apiId: string, slug: string) {
  await inTransaction(ctx.db, async (tx) => {
    const subscriptions = await tx.subscription.count({
      where: { plan: { apiId, api: { orgId: ctx.org.id } } },
    });
    if (subscriptions > 0) throw conflict(`Draft API "${slug}" has subscriptions and is not deleted`);
    await tx.api.delete({ where: { id: apiId } });
    await writeAudit(tx, ctx.actor, {
      orgId: ctx.org.id,
      action: 'api.delete',
      targetType: 'Api',
      targetId: apiId,
      before: { slug, status: 'DRAFT' },
    });
    await notifyConfig(tx, { kind: 'api', id: apiId });
  });
}

function pruneApiSteps(state: ConfigState, doc: ConfigDocument): Step[] {
  const wanted = new Set(doc.apis.map((a) => a.slug));
  return state.document.apis.flatMap((api): Step[] => {
    const found = state.apis.get(api.slug);
    if (wanted.has(api.slug) || !found || api.status === 'RETIRED') return [];
    const draft = api.status === 'DRAFT';
    return [
      {
        path: 'apis',
        change: {
          action: draft ? 'delete' : 'retire',
          kind: 'api',
          name: api.slug,
          fields: draft ? [] : [{ field: 'status', before: api.status, after: 'RETIRED' }],
          permissions: draft ? ['api.write'] : ['api.lifecycle'],
        },
        run: async (ctx) => {
          if (draft) await deleteDraftApi(ctx, found.id, api.slug);
          else await retireApi(ctx, { apiId: found.id, confirmSlug: api.slug });
        },
      },
    ];
  });
}

/** Compares the org's configuration with the document: the ordered steps that make them equal. */
export function buildSteps(state: ConfigState, doc: ConfigDocument, options: { prune: boolean }) {
  const missing: MissingCredentialRef[] = [];
  const steps: Step[] = [...priceSteps(state, doc, options.prune)];
  if (doc.org.allowAnonymousBrowse !== state.document.org.allowAnonymousBrowse) {
    const allowAnonymousBrowse = doc.org.allowAnonymousBrowse;
    steps.push({
      path: 'org',
      change: {
        action: 'update',
        kind: 'org',
        name: 'org',
        fields: [
          { field: 'allowAnonymousBrowse', before: !allowAnonymousBrowse, after: allowAnonymousBrowse },
        ],
        permissions: ['api.write'],
      },
      run: async (ctx) => {
        await setAnonymousBrowse(ctx, { allowAnonymousBrowse });
      },
    });
  }
  const currentApis = new Map(state.document.apis.map((a) => [a.slug, a]));
  doc.apis.forEach((raw, i) => {
    const path = `apis.${i}`;
    const api = desiredApi(raw, state, path, missing);
    const found = state.apis.get(api.slug);
    const current = currentApis.get(api.slug);
    const ref = { id: found?.id ?? '' };
    if (!found || !current) {
      steps.push(createApiStep(api, ref, path, createdBaseline(api, DEFAULTS)));
    } else {
      const step = updateApiStep(api, found.id, found.status, path, current);
      if (step) steps.push(step);
    }
    const status = found && current ? found.status : 'DRAFT';
    steps.push(
      ...promptVersionSteps({
        api: ref,
        apiSlug: api.slug,
        path,
        status,
        desired: api.promptVersions,
        current: current?.promptVersions ?? [],
        credentials: state.credentials,
        missing,
      }),
    );
    const release = promptReleaseStep(api, ref, path, { status, release: current?.promptRelease ?? null });
    if (release) steps.push(release);
    steps.push(
      ...planSteps({
        api: ref,
        apiSlug: api.slug,
        path,
        desired: api.plans,
        current: current?.plans ?? [],
        existing: found?.plans ?? new Map(),
        prune: options.prune,
      }),
    );
    const lifecycle = lifecycleStep(
      api,
      ref,
      current ? { status: current.status, sunsetAt: current.sunsetAt } : { status: 'DRAFT', sunsetAt: null },
      path,
    );
    if (lifecycle) steps.push(lifecycle);
  });
  if (options.prune) steps.push(...pruneApiSteps(state, doc));
  return { steps, missing };
}
