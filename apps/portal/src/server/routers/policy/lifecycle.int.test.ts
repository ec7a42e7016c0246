import { describe, expect, it } from 'vitest';
import {
  addMember,
  callerFor,
  consumerWithApp,
  db,
  expectTrpcError,
  listenConfig,
  member,
  providerWithPlan,
} from '../../test/harness';
import { httpMutation } from '../../test/http';

const DAY_MS = 86_400_000;

describe('policy.deprecate', () => {
  it('needs a future sunset date, then deprecates, logs it and tells every subscriber in-app and by mail', async () => {
    const p = await providerWithPlan({ requiresApproval: false });
    const consumer = await consumerWithApp();
    const teammate = await addMember(consumer.org.id, 'DEVELOPER');
    const viewer = await addMember(consumer.org.id, 'VIEWER');
    await consumer.caller.subscription.create({
      orgSlug: consumer.org.slug,
      appId: consumer.app.id,
      planId: p.plan.id,
    });
    const bystander = await consumerWithApp();
    const ref = { orgSlug: p.org.slug, apiId: p.api.id };

    const past = await httpMutation(p.user.id, 'policy.deprecate', {
      ...ref,
      sunsetAt: new Date(Date.now() - 1000).toISOString(),
    });
    expect(past).toMatchObject({ status: 400, fields: { sunsetAt: 'Choose a date in the future' } });
    const missing = await httpMutation(p.user.id, 'policy.deprecate', ref);
    expect(missing).toMatchObject({ status: 400, fields: { sunsetAt: expect.any(String) } });
    expect(await db.api.findUniqueOrThrow({ where: { id: p.api.id } })).toMatchObject({
      status: 'PUBLISHED',
    });

    const sunsetAt = new Date(Date.now() + 30 * DAY_MS);
    const listener = await listenConfig();
    try {
      const result = await p.caller.policy.deprecate({ ...ref, sunsetAt, message: 'Move to Weather v2.' });
      expect(result).toMatchObject({ status: 'DEPRECATED', sunsetAt });
      expect(await listener.next((c) => c.kind === 'api' && 'id' in c && c.id === p.api.id)).toBeTruthy();
    } finally {
      await listener.close();
    }
    expect(await db.api.findUniqueOrThrow({ where: { id: p.api.id } })).toMatchObject({
      status: 'DEPRECATED',
      sunsetAt,
    });
    const row = await db.auditLog.findFirstOrThrow({
      where: { action: 'api.deprecate', targetId: p.api.id },
    });
    expect(row).toMatchObject({
      actorId: p.user.id,
      before: { status: 'PUBLISHED', sunsetAt: null },
      after: { status: 'DEPRECATED', sunsetAt: sunsetAt.toISOString() },
    });

    const notified = await db.notification.findMany({
      where: { kind: 'api.deprecated', link: `/catalog/${p.org.slug}/${p.api.slug}` },
    });
    expect(notified.map((n) => n.userId).sort()).toEqual([consumer.user.id, teammate.user.id].sort());
    expect(notified[0]).toMatchObject({ title: 'Weather is deprecated' });
    expect(notified[0]?.body).toContain(sunsetAt.toISOString().slice(0, 10));
    expect(notified[0]?.body).toContain('Move to Weather v2.');
    expect(notified.map((n) => n.userId)).not.toContain(viewer.user.id);
    expect(notified.map((n) => n.userId)).not.toContain(bystander.user.id);
    expect(
      await db.mail.count({ where: { to: consumer.user.email, subject: 'Weather is deprecated' } }),
    ).toBe(1);

    const page = await consumer.caller.catalog.get({ orgSlug: p.org.slug, apiSlug: p.api.slug });
    expect(page).toMatchObject({ status: 'DEPRECATED', sunsetAt, deprecatedAt: row.at });
    expect(page.changelog[0]).toMatchObject({ title: 'Deprecated', breaking: false });

    // Deprecated APIs take no new subscriptions, and cannot be deprecated twice.
    const late = await consumerWithApp();
    await expectTrpcError(
      late.caller.subscription.create({ orgSlug: late.org.slug, appId: late.app.id, planId: p.plan.id }),
      'NOT_FOUND',
    );
    await expectTrpcError(p.caller.policy.deprecate({ ...ref, sunsetAt }), 'CONFLICT');
  });

  it('retires with a changelog entry and a notice to subscribers; no new subscriptions afterwards', async () => {
    const p = await providerWithPlan({ requiresApproval: false });
    const consumer = await consumerWithApp();
    await consumer.caller.subscription.create({
      orgSlug: consumer.org.slug,
      appId: consumer.app.id,
      planId: p.plan.id,
    });
    await p.caller.policy.retire({ orgSlug: p.org.slug, apiId: p.api.id, confirmSlug: p.api.slug });
    expect(
      await db.notification.findFirst({ where: { userId: consumer.user.id, kind: 'api.retired' } }),
    ).toMatchObject({
      title: 'Weather is retired',
    });
    const page = await consumer.caller.catalog.get({ orgSlug: p.org.slug, apiSlug: p.api.slug });
    expect(page.changelog[0]).toMatchObject({ title: 'Retired', breaking: true });
    const again = await consumerWithApp();
    await expectTrpcError(
      again.caller.subscription.create({ orgSlug: again.org.slug, appId: again.app.id, planId: p.plan.id }),
      'NOT_FOUND',
    );
  });

  it('is for OWNER/ADMIN of the API’s own org only', async () => {
    const p = await providerWithPlan();
    const sunsetAt = new Date(Date.now() + DAY_MS);
    for (const role of ['DEVELOPER', 'VIEWER'] as const) {
      const { caller } = await addMember(p.org.id, role);
      await expectTrpcError(
        caller.policy.deprecate({ orgSlug: p.org.slug, apiId: p.api.id, sunsetAt }),
        'FORBIDDEN',
      );
    }
    const attacker = await member('OWNER', 'attacker');
    await expectTrpcError(
      attacker.caller.policy.deprecate({ orgSlug: attacker.org.slug, apiId: p.api.id, sunsetAt }),
      'NOT_FOUND',
    );
    await expectTrpcError(
      attacker.caller.policy.deprecate({ orgSlug: p.org.slug, apiId: p.api.id, sunsetAt }),
      'NOT_FOUND',
    );
    await expectTrpcError(
      callerFor(null).policy.deprecate({ orgSlug: p.org.slug, apiId: p.api.id, sunsetAt }),
      'UNAUTHORIZED',
    );
    // Mass assignment: a status in the input does not pick the target state.
    const admin = await addMember(p.org.id, 'ADMIN');
    const result = await admin.caller.policy.deprecate({
      orgSlug: p.org.slug,
      apiId: p.api.id,
      sunsetAt,
      status: 'RETIRED',
    } as never);
    expect(result.status).toBe('DEPRECATED');
    expect(await db.api.findUniqueOrThrow({ where: { id: p.api.id } })).toMatchObject({
      status: 'DEPRECATED',
    });
  });
});
