import { ZAiGatewayConfig } from '@portcullis/core/ai-config';
import { badRequest, conflict } from '@portcullis/core/errors';
import { ZSlug } from '@portcullis/core/schemas';
import type { ApiStatus } from '@portcullis/db';
import { setAiGatewayConfig, setPromptConfig } from '../ai-api-config.ts';
import { createApi, publishApi, updateApiDetails } from '../api.ts';
import { setApiMcpConfig } from '../api-mcp.ts';
import { publishApiVersion } from '../changelog.ts';
import { inTransaction, type OrgCtx, writeAudit } from '../context.ts';
import { deprecateApi, retireApi } from '../lifecycle.ts';
import { setOpenApiSpec, updateApiPolicies, updateUpstreamConfig } from '../policies.ts';
import { type ConfigPermission, changedFields, type FieldChange, hasAny, type Step } from './change.ts';
import type { ConfigApi } from './schema.ts';
import type { ApiRef } from './steps-plan.ts';

const DETAIL_FIELDS = ['name', 'description', 'tags', 'visibility', 'rateLimitAccuracy'] as const;
const POLICY_FIELDS = ['upstreamUrl', 'upstream', 'policies', 'openapi', 'ai', 'mcp'] as const;
const API_FIELDS = [...DETAIL_FIELDS, 'version', ...POLICY_FIELDS] as const;

/** An API entry whose `ai` carries credential names (compared) and `aiConfig` the ids (applied). */
export type DesiredApi = ConfigApi & { aiConfig: Record<string, unknown> | null };

function permissionsFor(fields: FieldChange[]): ConfigPermission[] {
  const out: ConfigPermission[] = [];
  if (hasAny(fields, [...DETAIL_FIELDS, 'version', 'kind'])) out.push('api.write');
  if (hasAny(fields, POLICY_FIELDS)) out.push('policy.write');
  return out;
}

/** A draft has no published snapshots, so its version string is just a field. */
async function setDraftVersion(ctx: OrgCtx, apiId: string, version: string) {
  await inTransaction(ctx.db, async (tx) => {
    const api = await tx.api.findFirstOrThrow({
      where: { id: apiId, orgId: ctx.org.id },
      select: { version: true, status: true },
    });
    if (api.status !== 'DRAFT') throw conflict('Only a draft API takes a version without publishing it');
    await tx.api.update({ where: { id: apiId }, data: { version } });
    await writeAudit(tx, ctx.actor, {
      orgId: ctx.org.id,
      action: 'api.update',
      targetType: 'Api',
      targetId: apiId,
      before: { version: api.version },
      after: { version },
    });
  });
}

async function updateApi(
  ctx: OrgCtx,
  apiId: string,
  status: ApiStatus,
  api: DesiredApi,
  fields: FieldChange[],
) {
  if (hasAny(fields, DETAIL_FIELDS)) {
    const { name, description, tags, visibility, rateLimitAccuracy } = api;
    await updateApiDetails(ctx, { apiId, name, description, tags, visibility, rateLimitAccuracy });
  }
  if (hasAny(fields, ['openapi'])) {
    await setOpenApiSpec(ctx, { apiId, document: api.openapi ? JSON.stringify(api.openapi) : null });
  }
  if (hasAny(fields, ['upstreamUrl', 'upstream'])) {
    await updateUpstreamConfig(ctx, { apiId, upstreamUrl: api.upstreamUrl, ...api.upstream });
  }
  if (hasAny(fields, ['policies'])) await updateApiPolicies(ctx, { apiId, ...api.policies });
  if (hasAny(fields, ['ai'])) {
    const input = { apiId, config: api.aiConfig };
    await (api.kind === 'PROMPT' ? setPromptConfig(ctx, input) : setAiGatewayConfig(ctx, input));
  }
  // After the OpenAPI document: the offered tools must be operations of the document being applied.
  if (hasAny(fields, ['mcp'])) await setApiMcpConfig(ctx, { apiId, ...api.mcp });
  // After the OpenAPI document: publishing a version snapshots it.
  if (hasAny(fields, ['version'])) {
    if (status === 'DRAFT') await setDraftVersion(ctx, apiId, api.version);
    else await publishApiVersion(ctx, { apiId, version: api.version });
  }
}

/** Kinds created with their upstream URL (checked against the SSRF rules by createApi). */
const proxied = (kind: ConfigApi['kind']) => kind === 'REST' || kind === 'MCP';

/** The document's fields of an API as createApi leaves it. */
export function createdBaseline(api: DesiredApi, defaults: Pick<ConfigApi, 'upstream' | 'policies' | 'mcp'>) {
  return {
    ...api,
    ...defaults,
    version: 'v1',
    status: 'DRAFT' as const,
    sunsetAt: null,
    upstreamUrl: proxied(api.kind) ? api.upstreamUrl : '',
    openapi: null,
    tags: [],
    rateLimitAccuracy: 'EXACT' as const,
    ai: api.kind === 'AI' ? (ZAiGatewayConfig.parse({}) as Record<string, unknown>) : null,
    promptRelease: null,
  };
}

export function createApiStep(api: DesiredApi, ref: ApiRef, path: string, baseline: ConfigApi): Step {
  const fields = changedFields(baseline, api, API_FIELDS);
  return {
    path,
    change: {
      action: 'create',
      kind: 'api',
      name: api.slug,
      fields: [{ field: 'kind', before: null, after: api.kind }, ...fields],
      permissions: ['api.write', ...permissionsFor(fields).filter((p) => p !== 'api.write')],
    },
    run: async (ctx) => {
      // The portal's create form checks today's slug rules (reserved words); existing slugs are not rechecked.
      const slug = ZSlug.safeParse(api.slug);
      if (!slug.success) {
        const message = slug.error.issues[0]?.message ?? 'This slug cannot be used';
        throw badRequest(message, { slug: message });
      }
      const created = await createApi(ctx, {
        name: api.name,
        slug: api.slug,
        kind: api.kind,
        upstreamUrl: proxied(api.kind) ? api.upstreamUrl : '',
        visibility: api.visibility,
        description: api.description,
      });
      ref.id = created.id;
      await updateApi(ctx, created.id, 'DRAFT', api, fields);
    },
  };
}

export function updateApiStep(
  api: DesiredApi,
  id: string,
  status: ApiStatus,
  path: string,
  current: ConfigApi,
) {
  if (current.kind !== api.kind) {
    throw badRequest(`API "${api.slug}": the kind of an API cannot change`, {
      [`${path}.kind`]: `This API is ${current.kind}; create a new API for another kind`,
    });
  }
  const fields = changedFields(current, api, API_FIELDS);
  if (fields.length === 0) return null;
  if (status === 'RETIRED') {
    throw conflict(`API "${api.slug}" is retired and cannot be changed`, {
      [`${path}.${fields[0]?.field}`]: 'A retired API cannot be changed',
    });
  }
  return {
    path,
    change: { action: 'update', kind: 'api', name: api.slug, fields, permissions: permissionsFor(fields) },
    run: (ctx) => updateApi(ctx, id, status, api, fields),
  } satisfies Step;
}

const RANK: Record<ApiStatus, number> = { DRAFT: 0, PUBLISHED: 1, DEPRECATED: 2, RETIRED: 3 };

/** Lifecycle moves, one verb each, from the API's status to the document's (forward only). */
export function lifecycleStep(
  api: DesiredApi,
  ref: ApiRef,
  from: { status: ApiStatus; sunsetAt: string | null },
  path: string,
): Step | null {
  const to = api.status;
  if (from.status === to) {
    if (to === 'DEPRECATED' && from.sunsetAt !== api.sunsetAt) {
      throw conflict(`API "${api.slug}": the sunset date of a deprecated API cannot be moved`, {
        [`${path}.sunsetAt`]: `This API is already deprecated with sunset ${from.sunsetAt}`,
      });
    }
    return null;
  }
  if (RANK[to] < RANK[from.status]) {
    throw conflict(`API "${api.slug}" cannot go back from ${from.status} to ${to}`, {
      [`${path}.status`]: `The lifecycle only moves forward: DRAFT → PUBLISHED → DEPRECATED → RETIRED`,
    });
  }
  const moves: ApiStatus[] = from.status === 'DRAFT' && to !== 'PUBLISHED' ? ['PUBLISHED', to] : [to];
  const permissions: ConfigPermission[] = moves.map((m) =>
    m === 'PUBLISHED' ? 'api.write' : 'api.lifecycle',
  );
  return {
    path,
    change: {
      action: to === 'RETIRED' ? 'retire' : 'update',
      kind: 'api',
      name: api.slug,
      fields: [
        { field: 'status', before: from.status, after: to },
        ...(to === 'DEPRECATED' ? [{ field: 'sunsetAt', before: from.sunsetAt, after: api.sunsetAt }] : []),
      ],
      permissions: [...new Set(permissions)],
    },
    run: async (ctx) => {
      for (const move of moves) {
        if (move === 'PUBLISHED') await publishApi(ctx, { apiId: ref.id });
        else if (move === 'DEPRECATED') {
          await deprecateApi(ctx, { apiId: ref.id, sunsetAt: api.sunsetAt ?? '' });
        } else await retireApi(ctx, { apiId: ref.id, confirmSlug: api.slug });
      }
    },
  };
}
