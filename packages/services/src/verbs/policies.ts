import { BlockList, isIP } from 'node:net';
import { badRequest, notFound } from '@portcullis/core/errors';
import { parseOpenApiText } from '@portcullis/core/openapi-document';
import {
  type ApiPolicies,
  parseApiPolicies,
  parseUpstreamConfig,
  responseTransformRefusals,
  type UpstreamConfig,
  ZApiPolicies,
  ZUpstreamConfig,
} from '@portcullis/core/policies';
import type {
  ApiPoliciesUpdateInput,
  OpenApiSpecSetInput,
  UpstreamConfigUpdateInput,
} from '@portcullis/core/schemas';
import { checkUpstreamUrlResolved } from '@portcullis/core/ssrf';
import { Prisma } from '@portcullis/db';
import { ALLOW_LIST_HINT, loadUpstreamAllowedHosts } from './allow-list.ts';
import { updateApiUpstream } from './api.ts';
import { inTransaction, notifyConfig, type OrgCtx, writeAudit } from './context.ts';

/** Everything the provider's configuration pages show for one API of ctx.org. */
export async function getApiConfig(ctx: OrgCtx, input: { apiSlug: string }) {
  const api = await ctx.db.api.findFirst({
    where: { orgId: ctx.org.id, slug: input.apiSlug },
    select: {
      id: true,
      slug: true,
      name: true,
      status: true,
      upstreamUrl: true,
      upstream: true,
      policies: true,
      openapiSpec: true,
      updatedAt: true,
    },
  });
  if (!api) throw notFound('API');
  return {
    ...api,
    policies: parseApiPolicies(api.policies),
    upstream: parseUpstreamConfig(api.upstream),
    openapiSpec: api.openapiSpec === null ? null : JSON.stringify(api.openapiSpec, null, 2),
  };
}

/**
 * One CIDR in canonical form (a bare address becomes /32 or /128), or null when it is not one.
 * BlockList is what the gateway matches with, so an entry it accepts here it accepts there.
 */
function normalizeCidr(value: string): string | null {
  const [address = '', prefixText, extra] = value.trim().split('/');
  if (extra !== undefined) return null;
  const family = isIP(address);
  if (family === 0) return null;
  const max = family === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : -1;
  if (prefix < 0 || prefix > max) return null;
  try {
    new BlockList().addSubnet(address, prefix, family === 4 ? 'ipv4' : 'ipv6');
  } catch {
    return null;
  }
  return `${address}/${prefix}`;
}

function checkCidrs(field: 'ipAllow' | 'ipDeny', values: string[], fields: Record<string, string>) {
  const out: string[] = [];
  for (const value of values) {
    const cidr = normalizeCidr(value);
    if (cidr === null) {
      fields[field] ??= `"${value}" is not a valid IP address or CIDR (e.g. 203.0.113.0/24 or 2001:db8::/32)`;
    } else if (!out.includes(cidr)) {
      out.push(cidr);
    }
  }
  return out;
}

function checkOrigins(origins: string[], fields: Record<string, string>): string[] {
  return origins.map((raw) => {
    const value = raw.trim().replace(/\/+$/, '');
    if (value === '*') return value;
    try {
      const url = new URL(value);
      if ((url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value.toLowerCase())
        return url.origin;
    } catch {
      // reported below
    }
    fields['cors.allowOrigins'] ??= `"${raw}" is not an origin (scheme://host[:port]) or *`;
    return value;
  });
}

/** Validates beyond the schema (CIDRs, origins, origin-wide response headers) and returns the canonical document. */
export function checkApiPolicies(input: ApiPolicies): ApiPolicies {
  const policies = ZApiPolicies.parse(input);
  const fields: Record<string, string> = {};
  policies.ipAllow = checkCidrs('ipAllow', policies.ipAllow, fields);
  policies.ipDeny = checkCidrs('ipDeny', policies.ipDeny, fields);
  policies.cors.allowOrigins = checkOrigins(policies.cors.allowOrigins, fields);
  if (policies.cors.allowCredentials && policies.cors.allowOrigins.includes('*')) {
    fields['cors.allowCredentials'] = 'Credentials cannot be allowed for every origin (*): list the origins';
  }
  policies.allowedMethods = [...new Set(policies.allowedMethods)];
  Object.assign(fields, responseTransformRefusals(policies.responseHeaders));
  if (Object.keys(fields).length > 0) throw badRequest('Some policy fields are not valid', fields);
  return policies;
}

export async function updateApiPolicies(ctx: OrgCtx, input: ApiPoliciesUpdateInput) {
  const { apiId, ...document } = input;
  const policies = checkApiPolicies(document);
  return inTransaction(ctx.db, async (tx) => {
    const api = await tx.api.findFirst({
      where: { id: apiId, orgId: ctx.org.id },
      select: { policies: true },
    });
    if (!api) throw notFound('API');
    const updated = await tx.api.update({
      where: { id: apiId },
      data: { policies: policies as Prisma.InputJsonObject },
      select: { id: true, policies: true, updatedAt: true },
    });
    await writeAudit(tx, ctx.actor, {
      orgId: ctx.org.id,
      action: 'api.updatePolicies',
      targetType: 'Api',
      targetId: apiId,
      before: api.policies as Prisma.InputJsonValue,
      after: policies as Prisma.InputJsonObject,
    });
    await notifyConfig(tx, { kind: 'api', id: apiId });
    return { ...updated, policies: parseApiPolicies(updated.policies) };
  });
}

/**
 * Every extra and per-version target gets the same SSRF guard as Api.upstreamUrl (hosts allow-listed for
 * this org exempt); the gateway re-checks the address it connects to.
 */
async function checkTargets(ctx: OrgCtx, upstream: UpstreamConfig): Promise<void> {
  const allowedHosts = await loadUpstreamAllowedHosts(ctx.db, ctx.org.id);
  const targets: Array<[field: string, url: string]> = [
    ...upstream.targets.map((t, i): [string, string] => [`targets.${i}.url`, t.url]),
    ...Object.entries(upstream.versions).flatMap(([name, list]) =>
      list.map((t, i): [string, string] => [`versions.${name}.${i}.url`, t.url]),
    ),
  ];
  const fields: Record<string, string> = {};
  await Promise.all(
    targets.map(async ([field, url]) => {
      const check = await checkUpstreamUrlResolved(url, allowedHosts);
      if (!check.ok) fields[field] = `${check.error.message}. ${ALLOW_LIST_HINT}`;
    }),
  );
  if (Object.keys(fields).length > 0) throw badRequest('Some upstream targets are not allowed', fields);
}

/**
 * Api.upstreamUrl goes through the API verb (it owns that field and its checks); the extra targets,
 * versions, timeouts, retries, health check and circuit breaker are Api.upstream. One transaction.
 */
export async function updateUpstreamConfig(ctx: OrgCtx, input: UpstreamConfigUpdateInput) {
  const { apiId, upstreamUrl, ...document } = input;
  const upstream = ZUpstreamConfig.parse(document);
  await checkTargets(ctx, upstream);
  return inTransaction(ctx.db, async (tx) => {
    const api = await tx.api.findFirst({
      where: { id: apiId, orgId: ctx.org.id },
      select: { upstreamUrl: true, upstream: true },
    });
    if (!api) throw notFound('API');
    if (api.upstreamUrl !== upstreamUrl) {
      await updateApiUpstream({ ...ctx, db: tx }, { apiId, upstreamUrl });
    }
    const updated = await tx.api.update({
      where: { id: apiId },
      data: { upstream: upstream as Prisma.InputJsonObject },
      select: { id: true, upstreamUrl: true, upstream: true, updatedAt: true },
    });
    await writeAudit(tx, ctx.actor, {
      orgId: ctx.org.id,
      action: 'api.updateUpstreamConfig',
      targetType: 'Api',
      targetId: apiId,
      before: api.upstream as Prisma.InputJsonValue,
      after: upstream as Prisma.InputJsonObject,
    });
    await notifyConfig(tx, { kind: 'api', id: apiId });
    return { ...updated, upstream: parseUpstreamConfig(updated.upstream) };
  });
}

/** Parses and checks an OpenAPI 3.x document: a JSON object with `openapi: "3.x"` and `paths`. */
const specSummary = (spec: unknown) => {
  if (typeof spec !== 'object' || spec === null) return null;
  const doc = spec as { openapi?: unknown; paths?: unknown };
  return {
    openapi: String(doc.openapi),
    paths: typeof doc.paths === 'object' && doc.paths ? Object.keys(doc.paths).length : 0,
  };
};

export async function setOpenApiSpec(ctx: OrgCtx, input: OpenApiSpecSetInput) {
  const spec =
    input.document === null ? null : (parseOpenApiText(input.document).document as Prisma.InputJsonObject);
  return inTransaction(ctx.db, async (tx) => {
    const api = await tx.api.findFirst({
      where: { id: input.apiId, orgId: ctx.org.id },
      select: { openapiSpec: true },
    });
    if (!api) throw notFound('API');
    await tx.api.update({
      where: { id: input.apiId },
      // Prisma needs DbNull to store SQL NULL in a Json? column
      data: { openapiSpec: spec ?? Prisma.DbNull },
      select: { id: true },
    });
    await writeAudit(tx, ctx.actor, {
      orgId: ctx.org.id,
      action: spec ? 'api.setOpenApiSpec' : 'api.removeOpenApiSpec',
      targetType: 'Api',
      targetId: input.apiId,
      before: { spec: specSummary(api.openapiSpec) },
      after: { spec: specSummary(spec) },
    });
    await notifyConfig(tx, { kind: 'api', id: input.apiId });
    return { id: input.apiId, summary: specSummary(spec) };
  });
}
