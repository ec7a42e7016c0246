import { hashApiKey } from '@portcullis/core/keys';
import { describe, expect, it } from 'vitest';
import {
  addMember,
  callerFor,
  consumerWithApp,
  db,
  expectTrpcError,
  listenConfig,
  member,
} from '../../test/harness';
import { httpMutation } from '../../test/http';

const HOUR_MS = 3_600_000;

describe('key expiry', () => {
  it('creates keys with an optional future expiry', async () => {
    const { org, app, caller, user } = await consumerWithApp();
    const expiresAt = new Date(Date.now() + 48 * HOUR_MS);
    const created = await caller.key.create({ orgSlug: org.slug, appId: app.id, name: 'temp', expiresAt });
    expect(created.key.expiresAt).toEqual(expiresAt);
    expect(
      (await caller.key.create({ orgSlug: org.slug, appId: app.id, name: 'forever' })).key.expiresAt,
    ).toBeNull();
    expect(
      await db.auditLog.findFirst({ where: { action: 'key.create', targetId: created.key.id } }),
    ).toMatchObject({
      actorId: user.id,
      after: { expiresAt: expiresAt.toISOString() },
    });
    const past = await httpMutation(user.id, 'key.create', {
      orgSlug: org.slug,
      appId: app.id,
      name: 'old',
      expiresAt: new Date(Date.now() - 1000).toISOString(),
    });
    expect(past).toMatchObject({ status: 400, fields: { expiresAt: 'Choose a date in the future' } });
    const garbage = await httpMutation(user.id, 'key.create', {
      orgSlug: org.slug,
      appId: app.id,
      name: 'x',
      expiresAt: 'not a date',
    });
    expect(garbage).toMatchObject({ status: 400, fields: { expiresAt: expect.any(String) } });
  });
});

describe('key.rotate', () => {
  it('issues a new key once and keeps the old one alive only for the grace period, with audit and NOTIFYs', async () => {
    const { org, app, caller, user } = await consumerWithApp();
    const old = await caller.key.create({ orgSlug: org.slug, appId: app.id, name: 'prod' });
    const listener = await listenConfig();
    const before = Date.now();
    let rotated: Awaited<ReturnType<typeof caller.key.rotate>>;
    try {
      rotated = await caller.key.rotate({ orgSlug: org.slug, keyId: old.key.id, graceSeconds: 24 * 3600 });
      const hashes = [hashApiKey(old.plaintext), hashApiKey(rotated.plaintext)];
      for (const hash of hashes) {
        expect(await listener.next((c) => c.kind === 'key' && 'hash' in c && c.hash === hash)).toBeTruthy();
      }
    } finally {
      await listener.close();
    }
    expect(rotated.plaintext).toMatch(/^pk_live_[0-9A-Za-z]{32}$/);
    expect(rotated.plaintext).not.toBe(old.plaintext);
    expect(rotated.key).toMatchObject({ name: 'prod', appId: app.id, revokedAt: null, expiresAt: null });
    expect(rotated.key).not.toHaveProperty('hash');

    const oldRow = await db.apiKey.findUniqueOrThrow({ where: { id: old.key.id } });
    const graceEnd = oldRow.expiresAt?.getTime() ?? 0;
    expect(graceEnd).toBeGreaterThanOrEqual(before + 24 * HOUR_MS);
    expect(graceEnd).toBeLessThanOrEqual(Date.now() + 24 * HOUR_MS);
    expect(oldRow.revokedAt).toBeNull();
    expect(rotated.previous).toEqual({ id: old.key.id, expiresAt: oldRow.expiresAt });
    expect(
      await db.auditLog.findFirst({ where: { action: 'key.rotate', targetId: old.key.id } }),
    ).toMatchObject({
      actorId: user.id,
      orgId: org.id,
      before: { expiresAt: null },
      after: { newKeyId: rotated.key.id, graceSeconds: 86_400, expiresAt: oldRow.expiresAt?.toISOString() },
    });
    const listed = await caller.key.list({ orgSlug: org.slug, appId: app.id });
    expect(listed.map((k) => k.id).sort()).toEqual([old.key.id, rotated.key.id].sort());
  });

  it('never extends an expiry that ends sooner than the grace, and refuses revoked, expired and out-of-range rotations', async () => {
    const { org, app, caller, user } = await consumerWithApp();
    const soon = new Date(Date.now() + 2 * HOUR_MS);
    const shortLived = await caller.key.create({
      orgSlug: org.slug,
      appId: app.id,
      name: 'short',
      expiresAt: soon,
    });
    const rotated = await caller.key.rotate({
      orgSlug: org.slug,
      keyId: shortLived.key.id,
      graceSeconds: 7 * 24 * 3600,
    });
    expect(rotated.previous.expiresAt).toEqual(soon);

    for (const graceSeconds of [60, 8 * 24 * 3600]) {
      const out = await httpMutation(user.id, 'key.rotate', {
        orgSlug: org.slug,
        keyId: rotated.key.id,
        graceSeconds,
      });
      expect(out).toMatchObject({ status: 400, fields: { graceSeconds: expect.any(String) } });
    }
    await caller.key.revoke({ orgSlug: org.slug, keyId: rotated.key.id });
    await expectTrpcError(
      caller.key.rotate({ orgSlug: org.slug, keyId: rotated.key.id, graceSeconds: 3600 }),
      'CONFLICT',
    );
    const expired = await caller.key.create({ orgSlug: org.slug, appId: app.id, name: 'expired' });
    await db.apiKey.update({
      where: { id: expired.key.id },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    await expectTrpcError(
      caller.key.rotate({ orgSlug: org.slug, keyId: expired.key.id, graceSeconds: 3600 }),
      'CONFLICT',
    );
  });

  it('is refused to viewers, other tenants and anonymous callers', async () => {
    const victim = await consumerWithApp();
    const { key } = await victim.caller.key.create({
      orgSlug: victim.org.slug,
      appId: victim.app.id,
      name: 'v',
    });
    const viewer = await addMember(victim.org.id, 'VIEWER');
    const input = { keyId: key.id, graceSeconds: 3600 };
    await expectTrpcError(viewer.caller.key.rotate({ orgSlug: victim.org.slug, ...input }), 'FORBIDDEN');
    const attacker = await member();
    await expectTrpcError(attacker.caller.key.rotate({ orgSlug: attacker.org.slug, ...input }), 'NOT_FOUND');
    await expectTrpcError(attacker.caller.key.rotate({ orgSlug: victim.org.slug, ...input }), 'NOT_FOUND');
    await expectTrpcError(callerFor(null).key.rotate({ orgSlug: victim.org.slug, ...input }), 'UNAUTHORIZED');
    // Mass assignment: an appId smuggled into create cannot place a key in another tenant's app.
    const smuggled = await attacker.caller.key
      .create({
        orgSlug: attacker.org.slug,
        appId: victim.app.id,
        name: 'x',
      } as never)
      .catch((e: unknown) => e);
    expect((smuggled as { code?: string }).code).toBe('NOT_FOUND');
    expect(await db.apiKey.findUniqueOrThrow({ where: { id: key.id } })).toMatchObject({ expiresAt: null });
    expect(await db.apiKey.count({ where: { appId: victim.app.id } })).toBe(1);
  });
});
