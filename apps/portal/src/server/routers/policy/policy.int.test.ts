import { ZApiPolicies } from '@portcullis/core/policies';
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

const defaults = ZApiPolicies.parse({});
const inAMonth = () => new Date(Date.now() + 30 * 24 * 3600 * 1000);

/** Runs `fn` while listening on the config channel and returns the NOTIFY payload it caused. */
async function expectNotify(kind: 'api' | 'plan', id: string, fn: () => Promise<unknown>) {
  const listener = await listenConfig();
  try {
    await fn();
    return await listener.next((c) => c.kind === kind && 'id' in c && c.id === id);
  } finally {
    await listener.close();
  }
}

const audit = (action: string, targetId: string, orgId: string) =>
  db.auditLog.findFirst({ where: { action, targetId, orgId }, orderBy: { at: 'desc' } });

describe('policy: API policies', () => {
  it('saves every field, normalises CIDRs, audits and notifies', async () => {
    const p = await providerWithPlan();
    const input = {
      orgSlug: p.org.slug,
      apiId: p.api.id,
      ...defaults,
      ipAllow: ['10.0.0.0/8', '2001:db8::/32'],
      ipDeny: ['127.0.0.1', '127.0.0.1/32', '192.168.1.0/24'],
      cors: {
        ...defaults.cors,
        enabled: true,
        allowOrigins: ['https://app.example.com/'],
        allowCredentials: true,
      },
      maxBodyBytes: 1024,
      validateRequests: true,
      requestHeaders: { add: { 'X-Team': 'blue' }, remove: ['cookie'], rename: { 'x-a': 'x-b' } },
      allowedMethods: ['get', 'POST'],
      cache: { enabled: true, ttlSeconds: 30, public: true },
      redisFailureMode: 'deny' as const,
    };
    const change = await expectNotify('api', p.api.id, () => p.caller.policy.updatePolicies(input));
    expect(change).toEqual({ kind: 'api', id: p.api.id });

    const config = await p.caller.policy.get({ orgSlug: p.org.slug, apiSlug: p.api.slug });
    expect(config.canWrite).toBe(true);
    expect(config.policies).toMatchObject({
      ipAllow: ['10.0.0.0/8', '2001:db8::/32'],
      ipDeny: ['127.0.0.1/32', '192.168.1.0/24'],
      cors: { enabled: true, allowOrigins: ['https://app.example.com'], allowCredentials: true },
      maxBodyBytes: 1024,
      validateRequests: true,
      requestHeaders: { add: { 'x-team': 'blue' }, remove: ['cookie'], rename: { 'x-a': 'x-b' } },
      allowedMethods: ['GET', 'POST'],
      cache: { enabled: true, ttlSeconds: 30, public: true },
      redisFailureMode: 'deny',
    });
    const row = await audit('api.updatePolicies', p.api.id, p.org.id);
    expect(row).toMatchObject({ actorId: p.user.id, after: { ipDeny: ['127.0.0.1/32', '192.168.1.0/24'] } });
  });

  it('rejects invalid CIDRs, origins and numbers with field errors and saves nothing', async () => {
    const p = await providerWithPlan();
    const base = { orgSlug: p.org.slug, apiId: p.api.id };
    const cidr = await expectTrpcError(
      p.caller.policy.updatePolicies({ ...base, ipAllow: ['10.0.0.0/8'], ipDeny: ['10.0.0.300/8'] }),
      'BAD_REQUEST',
    );
    expect(cidr.cause).toMatchObject({ fields: { ipDeny: expect.stringContaining('10.0.0.300/8') } });
    for (const bad of ['10.0.0.0/33', '::1/129', 'example.com', '1.2.3.4/8/1', '1.2.3.4/-1']) {
      await expectTrpcError(p.caller.policy.updatePolicies({ ...base, ipAllow: [bad] }), 'BAD_REQUEST');
    }
    const origin = await expectTrpcError(
      p.caller.policy.updatePolicies({
        ...base,
        cors: { ...defaults.cors, allowOrigins: ['*'], allowCredentials: true },
      }),
      'BAD_REQUEST',
    );
    expect(origin.cause).toMatchObject({ fields: { 'cors.allowCredentials': expect.any(String) } });
    const zod = await httpMutation(p.user.id, 'policy.updatePolicies', {
      ...base,
      cors: { ...defaults.cors, maxAgeSeconds: -1 },
    });
    expect(zod).toMatchObject({ status: 400, fields: { 'cors.maxAgeSeconds': expect.any(String) } });
    const http = await httpMutation(p.user.id, 'policy.updatePolicies', { ...base, ipAllow: ['nope'] });
    expect(http).toMatchObject({ status: 400, fields: { ipAllow: expect.stringContaining('nope') } });
    expect(await db.api.findUniqueOrThrow({ where: { id: p.api.id } })).toMatchObject({ policies: {} });
  });

  it('stores a valid OpenAPI document and rejects others with a field error', async () => {
    const p = await providerWithPlan();
    const base = { orgSlug: p.org.slug, apiId: p.api.id };
    const doc = { openapi: '3.1.0', info: { title: 'W', version: '1' }, paths: { '/x': {} } };
    await expectNotify('api', p.api.id, () =>
      p.caller.policy.setOpenApiSpec({ ...base, document: JSON.stringify(doc) }),
    );
    expect(await db.api.findUniqueOrThrow({ where: { id: p.api.id } })).toMatchObject({ openapiSpec: doc });
    expect(await audit('api.setOpenApiSpec', p.api.id, p.org.id)).toMatchObject({
      after: { spec: { openapi: '3.1.0', paths: 1 } },
    });
    for (const bad of ['{not json', '[]', '{"openapi":"2.0","paths":{}}', '{"openapi":"3.0.3"}']) {
      const error = await expectTrpcError(
        p.caller.policy.setOpenApiSpec({ ...base, document: bad }),
        'BAD_REQUEST',
      );
      expect(error.cause).toMatchObject({ fields: { document: expect.any(String) } });
    }
    await p.caller.policy.setOpenApiSpec({ ...base, document: null });
    expect(await db.api.findUniqueOrThrow({ where: { id: p.api.id } })).toMatchObject({ openapiSpec: null });
  });
});

describe('policy: upstream', () => {
  it('changes the URL through the API verb and saves the upstream document', async () => {
    const p = await providerWithPlan();
    const change = await expectNotify('api', p.api.id, () =>
      p.caller.policy.updateUpstream({
        orgSlug: p.org.slug,
        apiId: p.api.id,
        upstreamUrl: 'http://127.0.0.1:10/new',
        targets: [{ url: 'http://127.0.0.1:11/', weight: 50 }],
        loadBalancing: 'least-connections',
        versions: { v2: [{ url: 'http://127.0.0.1:12/', weight: 100 }] },
        retries: { attempts: 2, budgetPercent: 10 },
        circuitBreaker: {
          enabled: false,
          consecutiveFailures: 5,
          errorRatePercent: 50,
          windowSize: 20,
          openMs: 1000,
        },
      }),
    );
    expect(change).toEqual({ kind: 'api', id: p.api.id });
    const config = await p.caller.policy.get({ orgSlug: p.org.slug, apiSlug: p.api.slug });
    expect(config.upstreamUrl).toBe('http://127.0.0.1:10/new');
    expect(config.upstream).toMatchObject({
      targets: [{ url: 'http://127.0.0.1:11/', weight: 50 }],
      loadBalancing: 'least-connections',
      versions: { v2: [{ url: 'http://127.0.0.1:12/', weight: 100 }] },
      timeouts: { connectMs: 5000 },
      retries: { attempts: 2, budgetPercent: 10 },
      circuitBreaker: { enabled: false, openMs: 1000 },
    });
    expect(await audit('api.updateUpstream', p.api.id, p.org.id)).toMatchObject({
      after: { upstreamUrl: 'http://127.0.0.1:10/new' },
    });
    expect(await audit('api.updateUpstreamConfig', p.api.id, p.org.id)).toMatchObject({
      after: { loadBalancing: 'least-connections' },
    });
  });

  it('rejects bad targets with field errors', async () => {
    const p = await providerWithPlan();
    const base = { orgSlug: p.org.slug, apiId: p.api.id, upstreamUrl: 'http://127.0.0.1:9/upstream' };
    const scheme = await expectTrpcError(
      p.caller.policy.updateUpstream({ ...base, targets: [{ url: 'ftp://127.0.0.1/', weight: 1 }] }),
      'BAD_REQUEST',
    );
    expect(scheme.cause).toMatchObject({ fields: { 'targets.0.url': expect.any(String) } });
    const weight = await httpMutation(p.user.id, 'policy.updateUpstream', {
      ...base,
      targets: [{ url: 'http://127.0.0.1/', weight: 5000 }],
    });
    expect(weight).toMatchObject({ status: 400, fields: { 'targets.0.weight': expect.any(String) } });
    // the SSRF guard covers extra and per-version targets (127.0.0.1 is allow-listed by the harness)
    const ssrf = await expectTrpcError(
      p.caller.policy.updateUpstream({
        ...base,
        targets: [
          { url: 'http://127.0.0.1:11/', weight: 1 },
          { url: 'http://169.254.169.254/latest', weight: 1 },
        ],
        versions: { v2: [{ url: 'http://10.1.2.3/', weight: 1 }] },
      }),
      'BAD_REQUEST',
    );
    expect((ssrf.cause as { fields?: Record<string, string> }).fields).toEqual({
      'targets.1.url': expect.stringContaining('link-local'),
      'versions.v2.0.url': expect.stringContaining('private'),
    });
    expect(await db.api.findUniqueOrThrow({ where: { id: p.api.id } })).toMatchObject({ upstream: {} });
  });
});

describe('policy: plans, lifecycle and subscribers', () => {
  it('edits plan limits with extra windows, then archives the plan out of the catalog', async () => {
    const p = await providerWithPlan();
    const input = {
      orgSlug: p.org.slug,
      planId: p.plan.id,
      rateLimit: 5,
      rateLimitWindowSeconds: 1,
      monthlyQuota: null,
      requiresApproval: false,
      limits: [
        { limit: 100, windowSeconds: 3600, scope: 'app' as const },
        { limit: 10, windowSeconds: 60, scope: 'ip' as const },
      ],
    };
    expect(await expectNotify('plan', p.plan.id, () => p.caller.policy.updatePlan(input))).toEqual({
      kind: 'plan',
      id: p.plan.id,
    });
    expect(await db.plan.findUniqueOrThrow({ where: { id: p.plan.id } })).toMatchObject({
      rateLimit: 5,
      monthlyQuota: null,
      requiresApproval: false,
      limits: input.limits,
    });
    expect(await audit('plan.updateLimits', p.plan.id, p.org.id)).toMatchObject({
      before: { rateLimit: 10, limits: [] },
      after: { rateLimit: 5 },
    });
    const badLimit = await httpMutation(p.user.id, 'policy.updatePlan', {
      ...input,
      limits: [{ limit: 0, windowSeconds: 60, scope: 'key' }],
    });
    expect(badLimit).toMatchObject({ status: 400, fields: { 'limits.0.limit': expect.any(String) } });

    await expectNotify('plan', p.plan.id, () =>
      p.caller.policy.archivePlan({ orgSlug: p.org.slug, planId: p.plan.id }),
    );
    expect(await audit('plan.archive', p.plan.id, p.org.id)).toBeTruthy();
    const consumer = await consumerWithApp();
    const catalog = await consumer.caller.catalog.get({ orgSlug: p.org.slug, apiSlug: p.api.slug });
    expect(catalog.plans).toEqual([]);
    await expectTrpcError(
      consumer.caller.subscription.create({
        orgSlug: consumer.org.slug,
        appId: consumer.app.id,
        planId: p.plan.id,
      }),
      'NOT_FOUND',
    );
    await expectTrpcError(
      p.caller.policy.archivePlan({ orgSlug: p.org.slug, planId: p.plan.id }),
      'CONFLICT',
    );
  });

  it('lists subscribers and retires the API only with the slug confirmed', async () => {
    const p = await providerWithPlan({ requiresApproval: false });
    const consumer = await consumerWithApp();
    const sub = await consumer.caller.subscription.create({
      orgSlug: consumer.org.slug,
      appId: consumer.app.id,
      planId: p.plan.id,
    });
    const list = await p.caller.policy.subscribers({ orgSlug: p.org.slug, apiId: p.api.id });
    expect(list.canDecide).toBe(true);
    expect(list.rows).toEqual([
      expect.objectContaining({
        id: sub.id,
        status: 'ACTIVE',
        app: expect.objectContaining({
          name: consumer.app.name,
          org: expect.objectContaining({ slug: consumer.org.slug }),
        }),
        plan: expect.objectContaining({ name: 'Basic' }),
      }),
    ]);

    const wrong = await expectTrpcError(
      p.caller.policy.retire({ orgSlug: p.org.slug, apiId: p.api.id, confirmSlug: 'nope' }),
      'BAD_REQUEST',
    );
    expect(wrong.cause).toMatchObject({ fields: { confirmSlug: expect.any(String) } });
    await p.caller.policy.deprecate({ orgSlug: p.org.slug, apiId: p.api.id, sunsetAt: inAMonth() });
    const change = await expectNotify('api', p.api.id, () =>
      p.caller.policy.retire({ orgSlug: p.org.slug, apiId: p.api.id, confirmSlug: p.api.slug }),
    );
    expect(change).toEqual({ kind: 'api', id: p.api.id });
    expect(await db.api.findUniqueOrThrow({ where: { id: p.api.id } })).toMatchObject({ status: 'RETIRED' });
    expect(await audit('api.retire', p.api.id, p.org.id)).toMatchObject({
      before: { status: 'DEPRECATED' },
      after: { status: 'RETIRED' },
    });
    await expectTrpcError(
      p.caller.policy.retire({ orgSlug: p.org.slug, apiId: p.api.id, confirmSlug: p.api.slug }),
      'CONFLICT',
    );
  });

  it('refuses to retire a draft API', async () => {
    const owner = await member('OWNER', 'draft');
    const api = await owner.caller.api.create({
      orgSlug: owner.org.slug,
      name: 'Draft',
      slug: 'draft-api',
      upstreamUrl: 'http://127.0.0.1:9/',
    });
    await expectTrpcError(
      owner.caller.policy.retire({ orgSlug: owner.org.slug, apiId: api.id, confirmSlug: 'draft-api' }),
      'CONFLICT',
    );
  });
});

describe('policy: security', () => {
  it('lets DEVELOPER and VIEWER read but not change anything', async () => {
    const p = await providerWithPlan();
    for (const role of ['DEVELOPER', 'VIEWER'] as const) {
      const { caller } = await addMember(p.org.id, role);
      const org = { orgSlug: p.org.slug };
      const config = await caller.policy.get({ ...org, apiSlug: p.api.slug });
      expect(config.canWrite).toBe(false);
      expect((await caller.policy.subscribers({ ...org, apiId: p.api.id })).canDecide).toBe(false);
      const attempts: Array<() => Promise<unknown>> = [
        () => caller.policy.updatePolicies({ ...org, apiId: p.api.id, ipDeny: ['10.0.0.0/8'] }),
        () => caller.policy.updateUpstream({ ...org, apiId: p.api.id, upstreamUrl: 'http://127.0.0.1:1/' }),
        () => caller.policy.setOpenApiSpec({ ...org, apiId: p.api.id, document: null }),
        () =>
          caller.policy.updatePlan({
            ...org,
            planId: p.plan.id,
            rateLimit: 1,
            rateLimitWindowSeconds: 1,
            monthlyQuota: null,
            requiresApproval: false,
            limits: [],
          }),
        () => caller.policy.archivePlan({ ...org, planId: p.plan.id }),
        () => caller.policy.deprecate({ ...org, apiId: p.api.id, sunsetAt: inAMonth() }),
        () => caller.policy.retire({ ...org, apiId: p.api.id, confirmSlug: p.api.slug }),
      ];
      for (const attempt of attempts) await expectTrpcError(attempt(), 'FORBIDDEN');
    }
    expect(await db.api.findUniqueOrThrow({ where: { id: p.api.id } })).toMatchObject({
      status: 'PUBLISHED',
      policies: {},
    });
  });

  it('answers NOT_FOUND for another tenant, by slug or by smuggled ids', async () => {
    const victim = await providerWithPlan();
    const attacker = await member('OWNER', 'attacker');
    // not a member of the victim org
    await expectTrpcError(
      attacker.caller.policy.get({ orgSlug: victim.org.slug, apiSlug: victim.api.slug }),
      'NOT_FOUND',
    );
    // own org, victim's ids
    const org = { orgSlug: attacker.org.slug };
    await expectTrpcError(attacker.caller.policy.get({ ...org, apiSlug: victim.api.slug }), 'NOT_FOUND');
    const attempts: Array<() => Promise<unknown>> = [
      () => attacker.caller.policy.updatePolicies({ ...org, apiId: victim.api.id, ipDeny: ['10.0.0.0/8'] }),
      () =>
        attacker.caller.policy.updateUpstream({
          ...org,
          apiId: victim.api.id,
          upstreamUrl: 'http://127.0.0.1:1/',
        }),
      () => attacker.caller.policy.setOpenApiSpec({ ...org, apiId: victim.api.id, document: null }),
      () =>
        attacker.caller.policy.updatePlan({
          ...org,
          planId: victim.plan.id,
          rateLimit: 1,
          rateLimitWindowSeconds: 1,
          monthlyQuota: null,
          requiresApproval: false,
          limits: [],
        }),
      () => attacker.caller.policy.archivePlan({ ...org, planId: victim.plan.id }),
      () => attacker.caller.policy.deprecate({ ...org, apiId: victim.api.id, sunsetAt: inAMonth() }),
      () => attacker.caller.policy.retire({ ...org, apiId: victim.api.id, confirmSlug: victim.api.slug }),
      () => attacker.caller.policy.subscribers({ ...org, apiId: victim.api.id }),
    ];
    for (const attempt of attempts) await expectTrpcError(attempt(), 'NOT_FOUND');
    expect(await db.api.findUniqueOrThrow({ where: { id: victim.api.id } })).toMatchObject({
      status: 'PUBLISHED',
      upstreamUrl: 'http://127.0.0.1:9/upstream',
      policies: {},
    });
    expect(await db.plan.findUniqueOrThrow({ where: { id: victim.plan.id } })).toMatchObject({
      rateLimit: 10,
      archivedAt: null,
    });
  });

  it('requires a session', async () => {
    const p = await providerWithPlan();
    await expectTrpcError(
      callerFor(null).policy.get({ orgSlug: p.org.slug, apiSlug: p.api.slug }),
      'UNAUTHORIZED',
    );
  });
});
