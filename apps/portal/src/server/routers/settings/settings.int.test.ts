import { PLATFORM_SETTINGS } from '@portcullis/core/policies';
import type { AllowedHostEntryInput } from '@portcullis/core/schemas';
import { listAllowedHosts, replaceAllowedHosts } from '@portcullis/services/verbs/allow-list';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerFor, db, expectTrpcError, member, seedUser } from '../../test/harness';
import { httpMutation } from '../../test/http';

async function platformAdmin() {
  const user = await seedUser(db, 'operator');
  await db.user.update({ where: { id: user.id }, data: { isPlatformAdmin: true } });
  return { user, caller: callerFor(user.id) };
}

describe('settings', () => {
  // Other test files rely on the harness's allow-list: put the settings back as they were.
  let saved: Array<{ key: string; value: unknown }> = [];
  let savedHosts: AllowedHostEntryInput[] = [];
  beforeAll(async () => {
    saved = await db.platformSetting.findMany({ select: { key: true, value: true } });
    savedHosts = (await listAllowedHosts(db)).map((entry) => ({
      host: entry.host,
      allTenants: entry.allTenants,
      orgSlugs: entry.orgs.map((org) => org.slug),
    }));
  });
  afterAll(async () => {
    await db.platformSetting.deleteMany({});
    for (const row of saved) {
      await db.platformSetting.create({ data: { key: row.key, value: row.value as never } });
    }
    await db.$transaction((tx) => replaceAllowedHosts(tx, savedHosts));
  });

  it('lets a platform admin read and change platform settings, with audit rows (orgId null)', async () => {
    const admin = await platformAdmin();
    const tenant = await member('OWNER', 'allowed');
    expect(await admin.caller.settings.amIAdmin()).toBe(true);
    const saved = await admin.caller.settings.update({
      upstreamAllowedHosts: [
        { host: '127.0.0.1:8190', allTenants: false, orgSlugs: [tenant.org.slug.toUpperCase()] },
        { host: ' Echo.Internal ', allTenants: true, orgSlugs: [] },
        { host: 'echo.internal', allTenants: true },
        { host: '[::1]:9000', allTenants: false, orgSlugs: [] },
      ],
      requestLogRetentionDays: 14,
    });
    const org = { id: tenant.org.id, slug: tenant.org.slug, name: tenant.org.name };
    expect(saved).toEqual({
      upstreamAllowedHosts: [
        { host: '127.0.0.1:8190', allTenants: false, orgs: [org] },
        { host: '[::1]:9000', allTenants: false, orgs: [] },
        { host: 'echo.internal', allTenants: true, orgs: [] },
      ],
      requestLogRetentionDays: 14,
    });
    expect(await admin.caller.settings.get()).toEqual(saved);
    const rows = await db.platformSetting.findMany({
      where: { key: PLATFORM_SETTINGS.requestLogRetentionDays.key },
    });
    expect(rows.map((r) => r.value)).toEqual([14]);
    const audit = await db.auditLog.findFirst({
      where: {
        action: 'platform.updateSetting',
        targetId: PLATFORM_SETTINGS.requestLogRetentionDays.key,
        actorId: admin.user.id,
      },
    });
    expect(audit).toMatchObject({ orgId: null, targetType: 'PlatformSetting', after: { value: 14 } });
    const hostsAudit = await db.auditLog.findFirst({
      where: { action: 'platform.updateAllowedHosts', actorId: admin.user.id },
    });
    expect(hostsAudit).toMatchObject({
      orgId: null,
      after: { '127.0.0.1:8190': [tenant.org.id], '[::1]:9000': [], 'echo.internal': 'all tenants' },
    });

    // null retention removes the setting: the gateway's own default applies again
    await admin.caller.settings.update({
      upstreamAllowedHosts: saved.upstreamAllowedHosts.map((entry) => ({
        host: entry.host,
        allTenants: entry.allTenants,
        orgSlugs: entry.orgs.map((o) => o.slug),
      })),
      requestLogRetentionDays: null,
    });
    expect((await admin.caller.settings.get()).requestLogRetentionDays).toBeNull();
    expect(
      await db.platformSetting.findUnique({ where: { key: PLATFORM_SETTINGS.requestLogRetentionDays.key } }),
    ).toBeNull();
  });

  it('rejects hosts with a scheme or path, unknown organizations and bad retention with field errors', async () => {
    const admin = await platformAdmin();
    for (const bad of [
      'http://example.com',
      'example.com/path',
      'user@example.com',
      'exa mple.com',
      'host:99999',
    ]) {
      const error = await expectTrpcError(
        admin.caller.settings.update({
          upstreamAllowedHosts: [{ host: bad, allTenants: true }],
          requestLogRetentionDays: 7,
        }),
        'BAD_REQUEST',
      );
      expect(error.cause).toMatchObject({
        fields: { 'upstreamAllowedHosts.0.host': expect.stringContaining(bad) },
      });
    }
    const unknown = await expectTrpcError(
      admin.caller.settings.update({
        upstreamAllowedHosts: [{ host: 'echo.internal', allTenants: false, orgSlugs: ['no-such-org-x'] }],
        requestLogRetentionDays: 7,
      }),
      'BAD_REQUEST',
    );
    expect(unknown.cause).toMatchObject({
      fields: { 'upstreamAllowedHosts.0.orgSlugs': 'No organization "no-such-org-x"' },
    });
    const days = await httpMutation(admin.user.id, 'settings.update', {
      upstreamAllowedHosts: [],
      requestLogRetentionDays: 0,
    });
    expect(days).toMatchObject({ status: 400, fields: { requestLogRetentionDays: expect.any(String) } });
    // opening a host to every tenant is never implied
    const implied = await httpMutation(admin.user.id, 'settings.update', {
      upstreamAllowedHosts: [{ host: 'echo.internal' }],
      requestLogRetentionDays: null,
    });
    expect(implied).toMatchObject({
      status: 400,
      fields: { 'upstreamAllowedHosts.0.allTenants': expect.any(String) },
    });
  });

  it('refuses org owners who are not platform admins, and signed-out callers', async () => {
    const owner = await member('OWNER', 'not-admin');
    expect(await owner.caller.settings.amIAdmin()).toBe(false);
    await expectTrpcError(owner.caller.settings.get(), 'FORBIDDEN');
    await expectTrpcError(
      owner.caller.settings.update({
        upstreamAllowedHosts: [{ host: 'evil.example', allTenants: true }],
        requestLogRetentionDays: 1,
      }),
      'FORBIDDEN',
    );
    await expectTrpcError(callerFor(null).settings.get(), 'UNAUTHORIZED');
    expect(
      await db.auditLog.count({
        where: { action: { startsWith: 'platform.' }, actorId: owner.user.id },
      }),
    ).toBe(0);
  });
});
