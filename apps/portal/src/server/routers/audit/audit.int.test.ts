import { describe, expect, it } from 'vitest';
import { addMember, db, expectTrpcError, member, providerWithPlan } from '../../test/harness';
import { createCallerFactory, createTrpcContext, router } from '../../trpc';
import { auditRouter } from '.';

const testRouter = router({ audit: auditRouter });
const caller = (userId: string | null) => createCallerFactory(testRouter)(createTrpcContext({ db, userId }));

describe('audit router', () => {
  it("shows OWNER and ADMIN the org's mutations with before/after", async () => {
    // providerWithPlan creates the API and plan and publishes the API through the procedures.
    const provider = await providerWithPlan();
    const admin = await addMember(provider.org.id, 'ADMIN');
    for (const userId of [provider.user.id, admin.user.id]) {
      const list = await caller(userId).audit.list({ orgSlug: provider.org.slug });
      expect(list.rows.map((r) => r.action)).toEqual(
        expect.arrayContaining(['api.create', 'plan.create', 'api.publish']),
      );
      expect(list.rows.every((r) => r.actor?.id === provider.user.id)).toBe(true);
    }
    const onlyApis = await caller(admin.user.id).audit.list({
      orgSlug: provider.org.slug,
      actionPrefix: 'api.',
    });
    expect(new Set(onlyApis.rows.map((r) => r.targetType))).toEqual(new Set(['Api']));
    const created = onlyApis.rows.find((r) => r.action === 'api.create')!;
    const entry = await caller(admin.user.id).audit.get({ orgSlug: provider.org.slug, id: created.id });
    expect(entry.targetId).toBe(provider.api.id);
    expect(entry.after).toBeTruthy();
    const facets = await caller(provider.user.id).audit.facets({ orgSlug: provider.org.slug });
    expect(facets.actors.map((a) => a.id)).toEqual([provider.user.id]);
    expect(facets.targetTypes).toEqual(expect.arrayContaining(['Api', 'Plan']));
  });

  it('refuses DEVELOPER and VIEWER (FORBIDDEN), strangers (NOT_FOUND) and anonymous callers', async () => {
    const provider = await providerWithPlan();
    for (const role of ['DEVELOPER', 'VIEWER'] as const) {
      const lower = await addMember(provider.org.id, role);
      await expectTrpcError(caller(lower.user.id).audit.list({ orgSlug: provider.org.slug }), 'FORBIDDEN');
      await expectTrpcError(caller(lower.user.id).audit.facets({ orgSlug: provider.org.slug }), 'FORBIDDEN');
    }
    const entry = await db.auditLog.findFirstOrThrow({ where: { orgId: provider.org.id } });
    const stranger = await member('OWNER', 'stranger');
    await expectTrpcError(caller(stranger.user.id).audit.list({ orgSlug: provider.org.slug }), 'NOT_FOUND');
    await expectTrpcError(
      caller(stranger.user.id).audit.get({ orgSlug: stranger.org.slug, id: entry.id }),
      'NOT_FOUND',
    );
    const own = await caller(stranger.user.id).audit.list({ orgSlug: stranger.org.slug });
    expect(own.rows.map((r) => r.id)).not.toContain(entry.id);
    await expectTrpcError(caller(null).audit.list({ orgSlug: provider.org.slug }), 'UNAUTHORIZED');
  });
});
