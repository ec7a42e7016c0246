import { badRequest, forbidden, notFound } from '@portcullis/core/errors';
import { generatePrefixedSecret, hashApiKey } from '@portcullis/core/keys';
import { ZId } from '@portcullis/core/schemas';
import type { Db, Role, Tx } from '@portcullis/db';
import { z } from 'zod';
import { inTransaction, type OrgCtx, writeAudit } from './context.ts';

/**
 * Org-scoped tokens for the management API (`pcm_<32 base62>`): shown once, stored as a SHA-256 hash.
 * A token acts as its creator with at most the role it was given and only in the areas its scopes name;
 * it never outranks its creator, at creation or later (a demoted creator's tokens shrink with them).
 */

const API_TOKEN_PREFIX = 'pcm_';
const TOKEN_PATTERN = /^pcm_[0-9A-Za-z]{32}$/;
const MAX_TOKEN_LIFETIME_MS = 3 * 366 * 24 * 3600 * 1000;

const API_TOKEN_AREAS = [
  'apis',
  'plans',
  'subscriptions',
  'apps',
  'members',
  'usage',
  'billing',
  'logs',
  'config',
] as const;
type ApiTokenArea = (typeof API_TOKEN_AREAS)[number];
export type ApiTokenScope = `${ApiTokenArea}:${'read' | 'write'}`;
export const API_TOKEN_SCOPES = API_TOKEN_AREAS.flatMap((area) => [
  `${area}:read`,
  `${area}:write`,
]) as ApiTokenScope[];

const ROLE_RANK: Record<Role, number> = { VIEWER: 0, DEVELOPER: 1, ADMIN: 2, OWNER: 3 };
export const lowerRole = (a: Role, b: Role): Role => (ROLE_RANK[a] <= ROLE_RANK[b] ? a : b);

/** `write` implies `read` in the same area. */
export function scopeAllows(scopes: readonly string[], needed: ApiTokenScope): boolean {
  if (scopes.includes(needed)) return true;
  const [area, level] = needed.split(':');
  return level === 'read' && scopes.includes(`${area}:write`);
}

const ZApiTokenScope = z.enum(API_TOKEN_SCOPES as [ApiTokenScope, ...ApiTokenScope[]], {
  error: 'Scopes look like apis:read or apis:write',
});

export const ZApiTokenCreate = z.object({
  name: z.string().trim().min(1, 'Name is required').max(100, 'Name must be at most 100 characters'),
  role: z.enum(['OWNER', 'ADMIN', 'DEVELOPER', 'VIEWER']),
  scopes: z
    .array(ZApiTokenScope)
    .min(1, 'Choose at least one scope')
    .max(API_TOKEN_SCOPES.length)
    .transform((scopes) => [...new Set(scopes)].sort()),
  /** null / absent: the token never expires */
  expiresAt: z.coerce.date<Date | string>({ error: 'Enter a date' }).nullable().default(null),
});
export type ApiTokenCreateInput = z.input<typeof ZApiTokenCreate>;
export const ZApiTokenRef = z.object({ tokenId: ZId });

const listSelect = {
  id: true,
  name: true,
  prefix: true,
  last4: true,
  role: true,
  scopes: true,
  expiresAt: true,
  revokedAt: true,
  lastUsedAt: true,
  createdAt: true,
  createdById: true,
} as const;

async function actorRole(db: Db | Tx, orgId: string, userId: string): Promise<Role | null> {
  const membership = await db.membership.findUnique({
    where: { orgId_userId: { orgId, userId } },
    select: { role: true },
  });
  return membership?.role ?? null;
}

/** Creates a token; the plaintext is in the answer once and never again. */
export async function createApiToken(ctx: OrgCtx, raw: ApiTokenCreateInput, now = new Date()) {
  const input = ZApiTokenCreate.parse(raw);
  if (input.expiresAt) {
    const at = input.expiresAt.getTime();
    if (at <= now.getTime())
      throw badRequest('The expiry must be in the future', { expiresAt: 'In the past' });
    if (at - now.getTime() > MAX_TOKEN_LIFETIME_MS) {
      throw badRequest('A token lives at most three years', { expiresAt: 'Too far ahead' });
    }
  }
  return inTransaction(ctx.db, async (tx) => {
    const creatorRole = await actorRole(tx, ctx.org.id, ctx.actor.id);
    if (!creatorRole) throw notFound('Organization');
    if (ROLE_RANK[input.role] > ROLE_RANK[creatorRole]) {
      throw forbidden(`A token cannot have a higher role than yours (${creatorRole})`);
    }
    const secret = generatePrefixedSecret(API_TOKEN_PREFIX);
    const token = await tx.apiToken.create({
      data: {
        orgId: ctx.org.id,
        name: input.name,
        hash: secret.hash,
        prefix: secret.prefix,
        last4: secret.last4,
        role: input.role,
        scopes: input.scopes,
        expiresAt: input.expiresAt,
        createdById: ctx.actor.id,
      },
      select: listSelect,
    });
    await writeAudit(tx, ctx.actor, {
      orgId: ctx.org.id,
      action: 'apiToken.create',
      targetType: 'ApiToken',
      targetId: token.id,
      after: { name: token.name, role: token.role, scopes: token.scopes, prefix: token.prefix },
    });
    return { ...token, token: secret.plaintext };
  });
}

export async function listApiTokens(ctx: OrgCtx) {
  return ctx.db.apiToken.findMany({
    where: { orgId: ctx.org.id },
    select: listSelect,
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: 500,
  });
}

/** Revoking twice is a no-op that answers the token as it is. */
export async function revokeApiToken(ctx: OrgCtx, input: z.input<typeof ZApiTokenRef>, now = new Date()) {
  const { tokenId } = ZApiTokenRef.parse(input);
  return inTransaction(ctx.db, async (tx) => {
    const token = await tx.apiToken.findFirst({
      where: { id: tokenId, orgId: ctx.org.id },
      select: listSelect,
    });
    if (!token) throw notFound('Token');
    if (token.revokedAt) return token;
    const revoked = await tx.apiToken.update({
      where: { id: token.id },
      data: { revokedAt: now },
      select: listSelect,
    });
    await writeAudit(tx, ctx.actor, {
      orgId: ctx.org.id,
      action: 'apiToken.revoke',
      targetType: 'ApiToken',
      targetId: token.id,
      before: { revokedAt: null },
      after: { revokedAt: now.toISOString() },
    });
    return revoked;
  });
}

export interface ResolvedApiToken {
  id: string;
  org: { id: string; slug: string };
  /** the creator: the actor of everything done with the token */
  actor: { id: string; apiTokenId: string };
  /** the lower of the token's role and its creator's current one */
  role: Role;
  scopes: string[];
  lastUsedAt: Date | null;
}

/**
 * The live token behind `plaintext`, or null when it is malformed, unknown, revoked, expired, or its
 * creator is no longer a member of the org.
 */
export async function resolveApiToken(
  db: Db,
  plaintext: string,
  now = new Date(),
): Promise<ResolvedApiToken | null> {
  if (!TOKEN_PATTERN.test(plaintext)) return null;
  const token = await db.apiToken.findUnique({
    where: { hash: hashApiKey(plaintext) },
    select: {
      id: true,
      orgId: true,
      role: true,
      scopes: true,
      createdById: true,
      expiresAt: true,
      revokedAt: true,
      lastUsedAt: true,
      org: { select: { slug: true } },
    },
  });
  if (!token || token.revokedAt || !token.createdById) return null;
  if (token.expiresAt && token.expiresAt.getTime() <= now.getTime()) return null;
  const creatorRole = await actorRole(db, token.orgId, token.createdById);
  if (!creatorRole) return null;
  return {
    id: token.id,
    org: { id: token.orgId, slug: token.org.slug },
    actor: { id: token.createdById, apiTokenId: token.id },
    role: lowerRole(token.role, creatorRole),
    scopes: token.scopes,
    lastUsedAt: token.lastUsedAt,
  };
}

/** Stamps lastUsedAt unless it was stamped within `everyMs` (one write per token per minute at most). */
export async function touchApiToken(
  db: Db,
  tokenId: string,
  now = new Date(),
  everyMs = 60_000,
): Promise<void> {
  await db.apiToken.updateMany({
    where: {
      id: tokenId,
      OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: new Date(now.getTime() - everyMs) } }],
    },
    data: { lastUsedAt: now },
  });
}
