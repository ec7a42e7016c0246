import { describe, expect, it } from 'vitest';
import { addMember, db, expectTrpcError, listenConfig, member, uniq } from '../../test/harness';

const newApi = (slug = uniq('api')) => ({
  name: 'Payments',
  slug,
  upstreamUrl: 'https://upstream.example.test/v1',
  visibility: 'PUBLIC' as const,
  description: 'Move money',
});

describe('api + plan', () => {
  it('creates a DRAFT api, adds a plan, publishes it with audit rows and NOTIFYs', async () => {
    const { org, caller, user } = await member('ADMIN');
    const listener = await listenConfig();
    try {
      const api = await caller.api.create({ orgSlug: org.slug, ...newApi('payments') });
      expect(api).toMatchObject({ status: 'DRAFT', visibility: 'PUBLIC', slug: 'payments' });
      const plan = await caller.plan.create({
        orgSlug: org.slug,
        apiId: api.id,
        name: 'Gold',
        rateLimit: 100,
        rateLimitWindowSeconds: 60,
        monthlyQuota: null,
        requiresApproval: false,
      });
      expect(plan).toMatchObject({
        name: 'Gold',
        rateLimit: 100,
        monthlyQuota: null,
        requiresApproval: false,
      });
      await listener.next((c) => c.kind === 'plan' && c.id === plan.id);
      expect(await caller.plan.list({ orgSlug: org.slug, apiId: api.id })).toHaveLength(1);

      const published = await caller.api.publish({ orgSlug: org.slug, apiId: api.id });
      expect(published.status).toBe('PUBLISHED');
      expect(published.publishedAt).toBeInstanceOf(Date);
      await listener.next((c) => c.kind === 'api' && c.id === api.id);
      await expectTrpcError(caller.api.publish({ orgSlug: org.slug, apiId: api.id }), 'CONFLICT');

      const updated = await caller.api.updateUpstream({
        orgSlug: org.slug,
        apiId: api.id,
        upstreamUrl: 'http://10.0.0.1:8080',
      });
      expect(updated.upstreamUrl).toBe('http://10.0.0.1:8080');

      const got = await caller.api.get({ orgSlug: org.slug, apiSlug: 'payments' });
      expect(got.plans.map((p) => p.name)).toEqual(['Gold']);
      expect((await caller.api.list({ orgSlug: org.slug })).map((a) => a.id)).toEqual([api.id]);
      const actions = await db.auditLog.findMany({
        where: { orgId: org.id, actorId: user.id },
        orderBy: { at: 'asc' },
      });
      expect(actions.map((a) => a.action)).toEqual([
        'api.create',
        'plan.create',
        'api.publish',
        'api.updateUpstream',
      ]);
      expect(actions[2]).toMatchObject({ before: { status: 'DRAFT' }, after: { status: 'PUBLISHED' } });
    } finally {
      await listener.close();
    }
  });

  it('validates input: upstream must be http(s), slug unique per org, status not assignable', async () => {
    const { org, caller } = await member();
    await expectTrpcError(
      caller.api.create({ orgSlug: org.slug, ...newApi(), upstreamUrl: 'file:///etc/passwd' }),
      'BAD_REQUEST',
    );
    const api = await caller.api.create({
      orgSlug: org.slug,
      ...newApi('dup'),
      status: 'PUBLISHED',
    } as never);
    expect(api.status).toBe('DRAFT');
    const dup = await expectTrpcError(caller.api.create({ orgSlug: org.slug, ...newApi('dup') }), 'CONFLICT');
    expect(dup.cause).toMatchObject({ fields: { slug: expect.any(String) } });
    await expectTrpcError(
      caller.plan.create({ orgSlug: org.slug, apiId: api.id, name: 'Bad', rateLimit: -1 } as never),
      'BAD_REQUEST',
    );
  });

  it('forbids lower roles: VIEWER cannot create, DEVELOPER cannot publish or add plans; both can read', async () => {
    const owner = await member();
    const api = await owner.caller.api.create({ orgSlug: owner.org.slug, ...newApi() });
    const viewer = await addMember(owner.org.id, 'VIEWER');
    const developer = await addMember(owner.org.id, 'DEVELOPER');
    await expectTrpcError(viewer.caller.api.create({ orgSlug: owner.org.slug, ...newApi() }), 'FORBIDDEN');
    await expectTrpcError(
      developer.caller.api.publish({ orgSlug: owner.org.slug, apiId: api.id }),
      'FORBIDDEN',
    );
    await expectTrpcError(
      developer.caller.plan.create({ orgSlug: owner.org.slug, apiId: api.id, name: 'P' }),
      'FORBIDDEN',
    );
    expect(await viewer.caller.api.list({ orgSlug: owner.org.slug })).toHaveLength(1);
    expect((await developer.caller.api.get({ orgSlug: owner.org.slug, apiSlug: api.slug })).id).toBe(api.id);
  });

  it("answers NOT_FOUND for another tenant's api, through my org or theirs", async () => {
    const victim = await member();
    const api = await victim.caller.api.create({ orgSlug: victim.org.slug, ...newApi() });
    const attacker = await member();
    const mine = attacker.org.slug;
    await expectTrpcError(attacker.caller.api.publish({ orgSlug: mine, apiId: api.id }), 'NOT_FOUND');
    await expectTrpcError(
      attacker.caller.api.updateUpstream({ orgSlug: mine, apiId: api.id, upstreamUrl: 'http://evil.test' }),
      'NOT_FOUND',
    );
    await expectTrpcError(attacker.caller.api.get({ orgSlug: mine, apiSlug: api.slug }), 'NOT_FOUND');
    await expectTrpcError(
      attacker.caller.plan.create({ orgSlug: mine, apiId: api.id, name: 'X' }),
      'NOT_FOUND',
    );
    await expectTrpcError(attacker.caller.plan.list({ orgSlug: mine, apiId: api.id }), 'NOT_FOUND');
    await expectTrpcError(attacker.caller.api.list({ orgSlug: victim.org.slug }), 'NOT_FOUND');
    await expectTrpcError(
      attacker.caller.api.publish({ orgSlug: victim.org.slug, apiId: api.id }),
      'NOT_FOUND',
    );
    expect((await db.api.findUniqueOrThrow({ where: { id: api.id } })).status).toBe('DRAFT');
  });
});
