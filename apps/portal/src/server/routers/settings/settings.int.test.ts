import { PLATFORM_SETTINGS } from '@portcullis/core/policies';
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
  beforeAll(async () => {
    saved = await db.platformSetting.findMany({ select: { key: true, value: true } });
  });
  afterAll(async () => {
    await db.platformSetting.deleteMany({});
    for (const row of saved) {
      await db.platformSetting.create({ data: { key: row.key, value: row.value as never } });
    }
  });

  it('lets a platform admin read and change platform settings, with audit rows (orgId null)', async () => {
    const admin = await platformAdmin();
    expect(await admin.caller.settings.amIAdmin()).toBe(true);
    const saved = await admin.caller.settings.update({
      upstreamAllowedHosts: ['127.0.0.1:8190', ' Echo.Internal ', 'echo.internal', '[::1]:9000'],
      requestLogRetentionDays: 14,
    });
    expect(saved).toEqual({
      upstreamAllowedHosts: ['127.0.0.1:8190', 'echo.internal', '[::1]:9000'],
      requestLogRetentionDays: 14,
    });
    expect(await admin.caller.settings.get()).toEqual(saved);
    const rows = await db.platformSetting.findMany({
      where: {
        key: {
          in: [PLATFORM_SETTINGS.upstreamAllowedHosts.key, PLATFORM_SETTINGS.requestLogRetentionDays.key],
        },
      },
    });
    expect(Object.fromEntries(rows.map((r) => [r.key, r.value]))).toMatchObject({
      [PLATFORM_SETTINGS.requestLogRetentionDays.key]: 14,
      [PLATFORM_SETTINGS.upstreamAllowedHosts.key]: expect.arrayContaining(['echo.internal']),
    });
    const audit = await db.auditLog.findFirst({
      where: {
        action: 'platform.updateSetting',
        targetId: PLATFORM_SETTINGS.requestLogRetentionDays.key,
        actorId: admin.user.id,
      },
    });
    expect(audit).toMatchObject({ orgId: null, targetType: 'PlatformSetting', after: { value: 14 } });

    // null retention removes the setting: the gateway's own default applies again
    await admin.caller.settings.update({
      upstreamAllowedHosts: saved.upstreamAllowedHosts,
      requestLogRetentionDays: null,
    });
    expect((await admin.caller.settings.get()).requestLogRetentionDays).toBeNull();
    expect(
      await db.platformSetting.findUnique({ where: { key: PLATFORM_SETTINGS.requestLogRetentionDays.key } }),
    ).toBeNull();
  });

  it('rejects hosts with a scheme or path and bad retention with field errors', async () => {
    const admin = await platformAdmin();
    for (const bad of [
      'http://example.com',
      'example.com/path',
      'user@example.com',
      'exa mple.com',
      'host:99999',
    ]) {
      const error = await expectTrpcError(
        admin.caller.settings.update({ upstreamAllowedHosts: [bad], requestLogRetentionDays: 7 }),
        'BAD_REQUEST',
      );
      expect(error.cause).toMatchObject({ fields: { upstreamAllowedHosts: expect.stringContaining(bad) } });
    }
    const days = await httpMutation(admin.user.id, 'settings.update', {
      upstreamAllowedHosts: [],
      requestLogRetentionDays: 0,
    });
    expect(days).toMatchObject({ status: 400, fields: { requestLogRetentionDays: expect.any(String) } });
  });

  it('refuses org owners who are not platform admins, and signed-out callers', async () => {
    const owner = await member('OWNER', 'not-admin');
    expect(await owner.caller.settings.amIAdmin()).toBe(false);
    await expectTrpcError(owner.caller.settings.get(), 'FORBIDDEN');
    await expectTrpcError(
      owner.caller.settings.update({ upstreamAllowedHosts: ['evil.example'], requestLogRetentionDays: 1 }),
      'FORBIDDEN',
    );
    await expectTrpcError(callerFor(null).settings.get(), 'UNAUTHORIZED');
    expect(
      await db.auditLog.count({ where: { action: 'platform.updateSetting', actorId: owner.user.id } }),
    ).toBe(0);
  });
});
