import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { addMember, consumerWithApp, db, expectTrpcError, listenConfig, member } from '../../test/harness';

describe('key', () => {
  it('returns the plaintext once and stores only its SHA-256, prefix and last 4', async () => {
    const { org, app, caller } = await consumerWithApp();
    const created = await caller.key.create({ orgSlug: org.slug, appId: app.id, name: 'ci' });
    expect(created.plaintext).toMatch(/^pk_live_[0-9A-Za-z]{32}$/);
    expect(created.key).not.toHaveProperty('hash');

    const row = await db.apiKey.findUniqueOrThrow({ where: { id: created.key.id } });
    expect(row.hash).toBe(createHash('sha256').update(created.plaintext).digest('hex'));
    expect(created.plaintext.startsWith(row.prefix)).toBe(true);
    expect(created.plaintext.endsWith(row.last4)).toBe(true);
    // No column holds the key: check every value of the raw row.
    const [raw] = await db.$queryRawUnsafe<Record<string, unknown>[]>(
      'SELECT * FROM "ApiKey" WHERE id = $1',
      row.id,
    );
    for (const value of Object.values(raw ?? {}))
      expect(String(value)).not.toContain(created.plaintext.slice(8));

    const listed = await caller.key.list({ orgSlug: org.slug, appId: app.id });
    expect(listed).toHaveLength(1);
    expect(listed[0]).not.toHaveProperty('hash');
    expect(JSON.stringify(listed)).not.toContain(created.plaintext.slice(8));
    expect(listed[0]).toMatchObject({ name: 'ci', prefix: row.prefix, last4: row.last4, revokedAt: null });
  });

  it('revokes: sets revokedAt, writes an audit row and NOTIFYs the key hash', async () => {
    const { org, app, caller, user } = await consumerWithApp();
    const { key } = await caller.key.create({ orgSlug: org.slug, appId: app.id, name: 'prod' });
    const { hash } = await db.apiKey.findUniqueOrThrow({ where: { id: key.id } });
    const listener = await listenConfig();
    try {
      const revoked = await caller.key.revoke({ orgSlug: org.slug, keyId: key.id });
      expect(revoked.revokedAt).toBeInstanceOf(Date);
      expect(await listener.next((c) => c.kind === 'key')).toEqual({ kind: 'key', hash });
    } finally {
      await listener.close();
    }
    const row = await db.apiKey.findUniqueOrThrow({ where: { id: key.id } });
    expect(row.revokedAt).toBeInstanceOf(Date);
    const audit = await db.auditLog.findMany({ where: { action: 'key.revoke', targetId: key.id } });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorId: user.id, orgId: org.id, targetType: 'ApiKey' });
    // Revoking again changes nothing.
    const again = await caller.key.revoke({ orgSlug: org.slug, keyId: key.id });
    expect(again.revokedAt?.getTime()).toBe(row.revokedAt?.getTime());
    expect(await db.auditLog.count({ where: { action: 'key.revoke', targetId: key.id } })).toBe(1);
  });

  it('lets VIEWER list but not create or revoke keys', async () => {
    const { org, app, caller } = await consumerWithApp();
    const { key } = await caller.key.create({ orgSlug: org.slug, appId: app.id, name: 'k' });
    const viewer = await addMember(org.id, 'VIEWER');
    expect(await viewer.caller.key.list({ orgSlug: org.slug, appId: app.id })).toHaveLength(1);
    await expectTrpcError(
      viewer.caller.key.create({ orgSlug: org.slug, appId: app.id, name: 'x' }),
      'FORBIDDEN',
    );
    await expectTrpcError(viewer.caller.key.revoke({ orgSlug: org.slug, keyId: key.id }), 'FORBIDDEN');
  });

  it("answers NOT_FOUND for another tenant's app or key", async () => {
    const victim = await consumerWithApp();
    const { key } = await victim.caller.key.create({
      orgSlug: victim.org.slug,
      appId: victim.app.id,
      name: 'v',
    });
    const attacker = await member();
    const mine = attacker.org.slug;
    await expectTrpcError(
      attacker.caller.key.create({ orgSlug: mine, appId: victim.app.id, name: 'x' }),
      'NOT_FOUND',
    );
    await expectTrpcError(attacker.caller.key.list({ orgSlug: mine, appId: victim.app.id }), 'NOT_FOUND');
    await expectTrpcError(attacker.caller.key.revoke({ orgSlug: mine, keyId: key.id }), 'NOT_FOUND');
    await expectTrpcError(
      attacker.caller.key.revoke({ orgSlug: victim.org.slug, keyId: key.id }),
      'NOT_FOUND',
    );
    expect((await db.apiKey.findUniqueOrThrow({ where: { id: key.id } })).revokedAt).toBeNull();
  });
});
