import { notFound } from '../errors.ts';
import { generateApiKey } from '../keys.ts';
import { inTransaction, notifyConfig, type OrgCtx, writeAudit } from './context.ts';

/** What the portal may ever show about a key: never the hash, never the plaintext. */
const keySelect = {
  id: true,
  appId: true,
  name: true,
  prefix: true,
  last4: true,
  createdAt: true,
  lastUsedAt: true,
  revokedAt: true,
  expiresAt: true,
} as const;

/** Returns the plaintext exactly once; only its SHA-256, prefix and last 4 characters are stored. */
export async function createKey(ctx: OrgCtx, input: { appId: string; name: string }) {
  return inTransaction(ctx.db, async (tx) => {
    const app = await tx.app.findFirst({
      where: { id: input.appId, orgId: ctx.org.id },
      select: { id: true },
    });
    if (!app) throw notFound('App');
    const generated = generateApiKey();
    const key = await tx.apiKey.create({
      data: {
        appId: app.id,
        name: input.name,
        hash: generated.hash,
        prefix: generated.prefix,
        last4: generated.last4,
        createdById: ctx.actor.id,
      },
      select: keySelect,
    });
    await writeAudit(tx, ctx.actor, {
      orgId: ctx.org.id,
      action: 'key.create',
      targetType: 'ApiKey',
      targetId: key.id,
      after: { appId: app.id, name: key.name, prefix: key.prefix, last4: key.last4 },
    });
    // A gateway may hold this hash in its negative cache (tried just before it existed): evict it.
    await notifyConfig(tx, { kind: 'key', hash: generated.hash });
    return { key, plaintext: generated.plaintext };
  });
}

export async function listKeys(ctx: OrgCtx, input: { appId: string }) {
  const app = await ctx.db.app.findFirst({
    where: { id: input.appId, orgId: ctx.org.id },
    select: { id: true },
  });
  if (!app) throw notFound('App');
  return ctx.db.apiKey.findMany({
    where: { appId: app.id, app: { orgId: ctx.org.id } },
    select: keySelect,
    orderBy: { createdAt: 'desc' },
  });
}

/** Idempotent: revoking a revoked key keeps its first revocation time. */
export async function revokeKey(ctx: OrgCtx, input: { keyId: string }) {
  return inTransaction(ctx.db, async (tx) => {
    const key = await tx.apiKey.findFirst({
      where: { id: input.keyId, app: { orgId: ctx.org.id } },
      select: { id: true, hash: true, revokedAt: true },
    });
    if (!key) throw notFound('Key');
    if (key.revokedAt) {
      return tx.apiKey.findUniqueOrThrow({ where: { id: key.id }, select: keySelect });
    }
    const revoked = await tx.apiKey.update({
      where: { id: key.id },
      data: { revokedAt: new Date() },
      select: keySelect,
    });
    await writeAudit(tx, ctx.actor, {
      orgId: ctx.org.id,
      action: 'key.revoke',
      targetType: 'ApiKey',
      targetId: key.id,
      before: { revokedAt: null },
      after: { revokedAt: revoked.revokedAt?.toISOString() ?? null },
    });
    await notifyConfig(tx, { kind: 'key', hash: key.hash });
    return revoked;
  });
}
