import { badRequest, conflict, notFound } from '@portcullis/core/errors';
import { generateApiKey } from '@portcullis/core/keys';
import { ZId } from '@portcullis/core/schemas';
import type { Tx } from '@portcullis/db';
import { z } from 'zod';
import { inTransaction, notifyConfig, type OrgCtx, writeAudit } from './context.ts';

const HOUR_S = 3600;
const MAX_KEY_LIFETIME_MS = 3 * 366 * 24 * HOUR_S * 1000;
/** How long the old key keeps working after a rotation: between one hour and seven days. */
const MIN_ROTATION_GRACE_S = HOUR_S;
const MAX_ROTATION_GRACE_S = 7 * 24 * HOUR_S;

const ZKeyName = z.string().trim().min(1, 'Name is required').max(100, 'Name must be at most 100 characters');
/** null / absent: the key never expires */
const ZExpiry = z.coerce.date<Date | string>({ error: 'Enter a date' }).nullable().default(null);

export const ZKeyCreateWithExpiry = z.object({ appId: ZId, name: ZKeyName, expiresAt: ZExpiry });
export type KeyCreateInput = z.input<typeof ZKeyCreateWithExpiry>;

export const ZKeyRotate = z.object({
  keyId: ZId,
  graceSeconds: z
    .number()
    .int('Whole seconds')
    .min(MIN_ROTATION_GRACE_S, 'The grace period is at least one hour')
    .max(MAX_ROTATION_GRACE_S, 'The grace period is at most seven days'),
  /** expiry of the new key; null = never */
  expiresAt: ZExpiry,
});
export type KeyRotateInput = z.input<typeof ZKeyRotate>;

function checkExpiry(expiresAt: Date | null, now: number): void {
  if (expiresAt === null) return;
  if (expiresAt.getTime() <= now)
    throw badRequest('The expiry must be in the future', { expiresAt: 'Choose a date in the future' });
  if (expiresAt.getTime() > now + MAX_KEY_LIFETIME_MS) {
    throw badRequest('The expiry is too far away', { expiresAt: 'Choose a date within 3 years' });
  }
}

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

/** Creates a key row for the app and returns its plaintext, which nothing else ever sees again. */
async function insertKey(tx: Tx, ctx: OrgCtx, appId: string, name: string, expiresAt: Date | null) {
  const generated = generateApiKey();
  const key = await tx.apiKey.create({
    data: {
      appId,
      name,
      hash: generated.hash,
      prefix: generated.prefix,
      last4: generated.last4,
      expiresAt,
      createdById: ctx.actor.id,
    },
    select: keySelect,
  });
  // A gateway may hold this hash in its negative cache (tried just before it existed): evict it.
  await notifyConfig(tx, { kind: 'key', hash: generated.hash });
  return { key, plaintext: generated.plaintext };
}

/** Returns the plaintext exactly once; only its SHA-256, prefix and last 4 characters are stored. */
export async function createKey(ctx: OrgCtx, raw: KeyCreateInput) {
  const input = ZKeyCreateWithExpiry.parse(raw);
  checkExpiry(input.expiresAt, Date.now());
  return inTransaction(ctx.db, async (tx) => {
    const app = await tx.app.findFirst({
      where: { id: input.appId, orgId: ctx.org.id },
      select: { id: true },
    });
    if (!app) throw notFound('App');
    const created = await insertKey(tx, ctx, app.id, input.name, input.expiresAt);
    const { key } = created;
    await writeAudit(tx, ctx.actor, {
      orgId: ctx.org.id,
      action: 'key.create',
      targetType: 'ApiKey',
      targetId: key.id,
      after: {
        appId: app.id,
        name: key.name,
        prefix: key.prefix,
        last4: key.last4,
        expiresAt: key.expiresAt?.toISOString() ?? null,
      },
    });
    return created;
  });
}

/**
 * Replaces a live key: a new key (same name and app) is returned once, and the old one keeps working
 * for the grace period (its expiry moves to now + grace, never later than it already was), so clients
 * can switch without downtime.
 */
export async function rotateKey(ctx: OrgCtx, raw: KeyRotateInput) {
  const input = ZKeyRotate.parse(raw);
  const now = Date.now();
  checkExpiry(input.expiresAt, now);
  return inTransaction(ctx.db, async (tx) => {
    const old = await tx.apiKey.findFirst({
      where: { id: input.keyId, app: { orgId: ctx.org.id } },
      select: { id: true, appId: true, name: true, hash: true, revokedAt: true, expiresAt: true },
    });
    if (!old) throw notFound('Key');
    if (old.revokedAt) throw conflict('A revoked key cannot be rotated');
    if (old.expiresAt && old.expiresAt.getTime() <= now) throw conflict('An expired key cannot be rotated');
    const graceEnd = new Date(now + input.graceSeconds * 1000);
    const oldExpiresAt = old.expiresAt && old.expiresAt < graceEnd ? old.expiresAt : graceEnd;
    // Guarded on the key still being live, so two rotations at once cannot both succeed.
    const { count } = await tx.apiKey.updateMany({
      where: { id: old.id, revokedAt: null, expiresAt: old.expiresAt },
      data: { expiresAt: oldExpiresAt },
    });
    if (count === 0) throw conflict('This key changed meanwhile; reload and try again');
    await notifyConfig(tx, { kind: 'key', hash: old.hash });
    const created = await insertKey(tx, ctx, old.appId, old.name, input.expiresAt);
    await writeAudit(tx, ctx.actor, {
      orgId: ctx.org.id,
      action: 'key.rotate',
      targetType: 'ApiKey',
      targetId: old.id,
      before: { expiresAt: old.expiresAt?.toISOString() ?? null },
      after: {
        expiresAt: oldExpiresAt.toISOString(),
        graceSeconds: input.graceSeconds,
        newKeyId: created.key.id,
        newKeyPrefix: created.key.prefix,
        newKeyLast4: created.key.last4,
      },
    });
    return { ...created, previous: { id: old.id, expiresAt: oldExpiresAt } };
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
