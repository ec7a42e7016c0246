import { hashApiKey } from '@portcullis/core/keys';
import { describe, expect, it } from 'vitest';
import { addMember, db, expectTrpcError, member } from '../../test/harness';

describe('apiTokens procedures', () => {
  it('shows the token once, stores only its hash, and lists it without the secret', async () => {
    const owner = await member('OWNER', 'tok');
    const created = await owner.caller.apiTokens.create({
      orgSlug: owner.org.slug,
      name: 'deploys',
      role: 'ADMIN',
      scopes: ['apis:write', 'apis:read', 'logs:read'],
    });
    expect(created.token).toMatch(/^pcm_[0-9A-Za-z]{32}$/);
    const stored = await db.apiToken.findUniqueOrThrow({ where: { id: created.id } });
    expect(stored.hash).toBe(hashApiKey(created.token));
    expect(stored.scopes).toEqual(['apis:read', 'apis:write', 'logs:read']);
    const list = await owner.caller.apiTokens.list({ orgSlug: owner.org.slug });
    expect(list.rows.map((row) => row.id)).toEqual([created.id]);
    expect(JSON.stringify(list)).not.toContain(created.token);
    expect(JSON.stringify(list)).not.toContain(stored.hash);
    const audit = await db.auditLog.findFirst({ where: { orgId: owner.org.id, action: 'apiToken.create' } });
    expect(audit?.targetId).toBe(created.id);
  });

  it('never gives a token a higher role than its creator', async () => {
    const owner = await member('OWNER', 'tok');
    const admin = await addMember(owner.org.id, 'ADMIN');
    await expectTrpcError(
      admin.caller.apiTokens.create({
        orgSlug: owner.org.slug,
        name: 'x',
        role: 'OWNER',
        scopes: ['apis:read'],
      }),
      'FORBIDDEN',
    );
    const ok = await admin.caller.apiTokens.create({
      orgSlug: owner.org.slug,
      name: 'x',
      role: 'ADMIN',
      scopes: ['apis:read'],
    });
    expect(ok.role).toBe('ADMIN');
  });

  it('refuses unknown scopes, past expiry and another org’s token', async () => {
    const owner = await member('OWNER', 'tok');
    await expectTrpcError(
      owner.caller.apiTokens.create({
        orgSlug: owner.org.slug,
        name: 'x',
        role: 'VIEWER',
        scopes: ['root:write' as never],
      }),
      'BAD_REQUEST',
    );
    await expectTrpcError(
      owner.caller.apiTokens.create({
        orgSlug: owner.org.slug,
        name: 'x',
        role: 'VIEWER',
        scopes: ['apis:read'],
        expiresAt: new Date(Date.now() - 1000),
      }),
      'BAD_REQUEST',
    );
    const other = await member('OWNER', 'tok');
    const theirs = await other.caller.apiTokens.create({
      orgSlug: other.org.slug,
      name: 'x',
      role: 'VIEWER',
      scopes: ['apis:read'],
    });
    await expectTrpcError(
      owner.caller.apiTokens.revoke({ orgSlug: owner.org.slug, tokenId: theirs.id }),
      'NOT_FOUND',
    );
    const revoked = await other.caller.apiTokens.revoke({ orgSlug: other.org.slug, tokenId: theirs.id });
    expect(revoked.revokedAt).not.toBeNull();
  });
});
