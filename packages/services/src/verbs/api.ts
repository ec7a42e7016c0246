import { badRequest, conflict, notFound } from '@portcullis/core/errors';
import { parseOpenApiText } from '@portcullis/core/openapi-document';
import { type ApiCreateInput, ZApiUpdate } from '@portcullis/core/schemas';
import { checkUpstreamUrlResolved } from '@portcullis/core/ssrf';
import type { Prisma } from '@portcullis/db';
import type { z } from 'zod';
import { ALLOW_LIST_HINT, loadUpstreamAllowedHosts } from './allow-list.ts';
import { snapshotSpec } from './changelog.ts';
import { inTransaction, isUniqueViolation, notifyConfig, type OrgCtx, writeAudit } from './context.ts';

const API_SLUG_TAKEN = 'An API with this slug already exists in this organization';

const apiSelect = {
  id: true,
  slug: true,
  name: true,
  description: true,
  version: true,
  visibility: true,
  status: true,
  upstreamUrl: true,
  kind: true,
  tags: true,
  publishedAt: true,
  sunsetAt: true,
  createdAt: true,
  rateLimitAccuracy: true,
} as const;

export { ZApiUpdate };

export type ApiUpdateInput = z.input<typeof ZApiUpdate>;

/**
 * Save-time SSRF guard: refuses upstreams that point at loopback, private, link-local or metadata addresses
 * unless allow-listed for this org (another org's entries do not count); the gateway re-checks the address
 * it connects to, against the same org's entries.
 */
async function assertUpstreamAllowed(ctx: OrgCtx, upstreamUrl: string): Promise<void> {
  const check = await checkUpstreamUrlResolved(
    upstreamUrl,
    await loadUpstreamAllowedHosts(ctx.db, ctx.org.id),
  );
  if (!check.ok) {
    throw badRequest(`This upstream URL is not allowed: ${check.error.message}`, {
      upstreamUrl: `${check.error.message}. ${ALLOW_LIST_HINT}`,
    });
  }
}

export async function createApi(ctx: OrgCtx, input: ApiCreateInput) {
  const kind = input.kind ?? 'REST';
  // An empty import field means "no document yet", not an error.
  const imported =
    kind === 'REST' && input.openapiDocument?.trim()
      ? parseOpenApiText(input.openapiDocument, 'openapiDocument').document
      : null;
  const proxied = kind === 'REST' || kind === 'MCP';
  if (proxied) await assertUpstreamAllowed(ctx, input.upstreamUrl);
  try {
    return await inTransaction(ctx.db, async (tx) => {
      const taken = await tx.api.findFirst({
        where: { orgId: ctx.org.id, slug: input.slug },
        select: { id: true },
      });
      if (taken) throw conflict(API_SLUG_TAKEN, { slug: API_SLUG_TAKEN });
      const api = await tx.api.create({
        data: {
          orgId: ctx.org.id,
          name: input.name,
          slug: input.slug,
          upstreamUrl: proxied ? input.upstreamUrl : '',
          kind,
          visibility: input.visibility,
          description: input.description,
          status: 'DRAFT',
          ...(imported ? { openapiSpec: imported as Prisma.InputJsonObject } : {}),
        },
        select: apiSelect,
      });
      await writeAudit(tx, ctx.actor, {
        orgId: ctx.org.id,
        action: 'api.create',
        targetType: 'Api',
        targetId: api.id,
        after: {
          slug: api.slug,
          kind: api.kind,
          upstreamUrl: api.upstreamUrl,
          visibility: api.visibility,
          spec: imported
            ? { openapi: String(imported.openapi), paths: Object.keys(imported.paths as object).length }
            : null,
        },
      });
      return api;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(API_SLUG_TAKEN, { slug: API_SLUG_TAKEN });
    throw error;
  }
}

export async function listApis(ctx: OrgCtx) {
  return ctx.db.api.findMany({
    where: { orgId: ctx.org.id },
    select: { ...apiSelect, _count: { select: { plans: true } } },
    orderBy: { createdAt: 'desc' },
  });
}

export async function getApiBySlug(ctx: OrgCtx, input: { apiSlug: string }) {
  const api = await ctx.db.api.findFirst({
    where: { orgId: ctx.org.id, slug: input.apiSlug },
    select: {
      ...apiSelect,
      openapiSpec: true,
      plans: { where: { archivedAt: null }, orderBy: { createdAt: 'asc' } },
      _count: { select: { shares: true, specVersions: true } },
    },
  });
  if (!api) throw notFound('API');
  const { openapiSpec, ...rest } = api;
  return { ...rest, hasOpenApiDocument: openapiSpec !== null };
}

export async function updateApiDetails(ctx: OrgCtx, raw: ApiUpdateInput) {
  const input = ZApiUpdate.parse(raw);
  return inTransaction(ctx.db, async (tx) => {
    const api = await tx.api.findFirst({
      where: { id: input.apiId, orgId: ctx.org.id },
      select: { name: true, description: true, tags: true, visibility: true, rateLimitAccuracy: true },
    });
    if (!api) throw notFound('API');
    const updated = await tx.api.update({
      where: { id: input.apiId },
      data: {
        name: input.name,
        description: input.description,
        tags: input.tags,
        visibility: input.visibility,
        ...(input.rateLimitAccuracy ? { rateLimitAccuracy: input.rateLimitAccuracy } : {}),
      },
      select: apiSelect,
    });
    // Gateways cache the API's route, which carries the accuracy.
    if (updated.rateLimitAccuracy !== api.rateLimitAccuracy) {
      await notifyConfig(tx, { kind: 'api', id: updated.id });
    }
    await writeAudit(tx, ctx.actor, {
      orgId: ctx.org.id,
      action: 'api.update',
      targetType: 'Api',
      targetId: updated.id,
      before: api,
      after: {
        name: updated.name,
        description: updated.description,
        tags: updated.tags,
        visibility: updated.visibility,
        rateLimitAccuracy: updated.rateLimitAccuracy,
      },
    });
    return updated;
  });
}

export async function publishApi(ctx: OrgCtx, input: { apiId: string }) {
  return inTransaction(ctx.db, async (tx) => {
    const api = await tx.api.findFirst({
      where: { id: input.apiId, orgId: ctx.org.id },
      select: { status: true, version: true, openapiSpec: true },
    });
    if (!api) throw notFound('API');
    if (api.status !== 'DRAFT')
      throw conflict(`Only a draft API can be published (this one is ${api.status})`);
    const updated = await tx.api.update({
      where: { id: input.apiId },
      data: { status: 'PUBLISHED', publishedAt: new Date() },
      select: apiSelect,
    });
    // The document as first published, so later versions can be compared with it.
    await snapshotSpec(tx, updated.id, api.version, api.openapiSpec);
    await tx.apiChangelogEntry.create({
      data: { apiId: updated.id, version: api.version, title: `Published ${api.version}`, body: '' },
    });
    await writeAudit(tx, ctx.actor, {
      orgId: ctx.org.id,
      action: 'api.publish',
      targetType: 'Api',
      targetId: updated.id,
      before: { status: api.status },
      after: { status: updated.status },
    });
    await notifyConfig(tx, { kind: 'api', id: updated.id });
    return updated;
  });
}

export async function updateApiUpstream(ctx: OrgCtx, input: { apiId: string; upstreamUrl: string }) {
  await assertUpstreamAllowed(ctx, input.upstreamUrl);
  return inTransaction(ctx.db, async (tx) => {
    const api = await tx.api.findFirst({
      where: { id: input.apiId, orgId: ctx.org.id },
      select: { upstreamUrl: true },
    });
    if (!api) throw notFound('API');
    const updated = await tx.api.update({
      where: { id: input.apiId },
      data: { upstreamUrl: input.upstreamUrl },
      select: apiSelect,
    });
    await writeAudit(tx, ctx.actor, {
      orgId: ctx.org.id,
      action: 'api.updateUpstream',
      targetType: 'Api',
      targetId: updated.id,
      before: { upstreamUrl: api.upstreamUrl },
      after: { upstreamUrl: updated.upstreamUrl },
    });
    await notifyConfig(tx, { kind: 'api', id: updated.id });
    return updated;
  });
}
