import { describe, expect, it } from 'vitest';
import {
  addMember,
  callerFor,
  consumerWithApp,
  db,
  expectTrpcError,
  member,
  providerWithPlan,
  uniq,
} from '../../test/harness';

type Visibility = 'PRIVATE' | 'ORG' | 'PUBLIC';
type Caller = ReturnType<typeof callerFor>;

async function makeApi(
  owner: { caller: Caller; org: { slug: string } },
  opts: { visibility: Visibility; publish?: boolean; name?: string; description?: string; tags?: string[] },
) {
  const api = await owner.caller.api.create({
    orgSlug: owner.org.slug,
    name: opts.name ?? `${opts.visibility} api`,
    slug: uniq(opts.visibility.toLowerCase()),
    upstreamUrl: 'http://127.0.0.1:9',
    visibility: opts.visibility,
    description: opts.description ?? '',
  });
  if (opts.tags) {
    await owner.caller.api.update({
      orgSlug: owner.org.slug,
      apiId: api.id,
      name: api.name,
      description: api.description,
      tags: opts.tags,
      visibility: opts.visibility,
    });
  }
  if (opts.publish !== false) await owner.caller.api.publish({ orgSlug: owner.org.slug, apiId: api.id });
  return api;
}

const idsFor = async (caller: Caller, input: Parameters<Caller['catalog']['list']>[0] = {}) =>
  (await caller.catalog.list({ pageSize: 48, ...input })).items.map((a) => a.id);

describe('catalog visibility', () => {
  it('applies the PRIVATE/ORG/PUBLIC × member/shared org/other/anonymous matrix', async () => {
    const provider = await member('OWNER', 'matrix');
    const apis = {
      PRIVATE: await makeApi(provider, { visibility: 'PRIVATE' }),
      ORG: await makeApi(provider, { visibility: 'ORG' }),
      PUBLIC: await makeApi(provider, { visibility: 'PUBLIC' }),
    };
    const teammate = await addMember(provider.org.id, 'VIEWER');
    const shared = await member('DEVELOPER', 'shared');
    await provider.caller.api.addShare({
      orgSlug: provider.org.slug,
      apiId: apis.ORG.id,
      shareWithSlug: shared.org.slug,
    });
    const other = await member('OWNER', 'other');
    const anonymous = callerFor(null);

    const expected: Record<string, Record<Visibility, boolean>> = {
      member: { PRIVATE: true, ORG: true, PUBLIC: true },
      sharedOrg: { PRIVATE: false, ORG: true, PUBLIC: true },
      other: { PRIVATE: false, ORG: false, PUBLIC: true },
      // The tenant has not allowed anonymous browsing (the default).
      anonymous: { PRIVATE: false, ORG: false, PUBLIC: false },
    };
    const viewers: Record<string, Caller> = {
      member: teammate.caller,
      sharedOrg: shared.caller,
      other: other.caller,
      anonymous,
    };
    const check = async (matrix: typeof expected) => {
      for (const [who, caller] of Object.entries(viewers)) {
        const listed = await idsFor(caller, { org: provider.org.slug });
        for (const visibility of ['PRIVATE', 'ORG', 'PUBLIC'] as const) {
          const api = apis[visibility];
          const allowed = matrix[who]?.[visibility];
          expect(listed.includes(api.id), `${who} lists ${visibility}`).toBe(allowed);
          const get = caller.catalog.get({ orgSlug: provider.org.slug, apiSlug: api.slug });
          if (allowed) expect((await get).id, `${who} gets ${visibility}`).toBe(api.id);
          else await expectTrpcError(get, 'NOT_FOUND');
        }
      }
    };
    await check(expected);

    // Anonymous browsing on: anonymous visitors see PUBLIC, still nothing else.
    await provider.caller.api.setAnonymousBrowse({ orgSlug: provider.org.slug, allowAnonymousBrowse: true });
    await check({ ...expected, anonymous: { PRIVATE: false, ORG: false, PUBLIC: true } });

    // Un-sharing takes the ORG API away from the shared org again.
    await provider.caller.api.removeShare({
      orgSlug: provider.org.slug,
      apiId: apis.ORG.id,
      sharedOrgId: shared.org.id,
    });
    expect(await idsFor(shared.caller, { org: provider.org.slug })).not.toContain(apis.ORG.id);
  });

  it('shows drafts only to their own org and retired APIs only to their org and subscribers', async () => {
    const p = await providerWithPlan({ requiresApproval: false });
    const draft = await makeApi(p, { visibility: 'PUBLIC', publish: false });
    const subscriber = await consumerWithApp();
    await subscriber.caller.subscription.create({
      orgSlug: subscriber.org.slug,
      appId: subscriber.app.id,
      planId: p.plan.id,
    });
    const stranger = await member('OWNER', 'stranger');

    expect(await idsFor(p.caller, { status: 'DRAFT' })).toContain(draft.id);
    expect(await idsFor(stranger.caller, { status: 'DRAFT' })).not.toContain(draft.id);
    expect(await idsFor(stranger.caller, { status: 'any' })).not.toContain(draft.id);
    await expectTrpcError(
      stranger.caller.catalog.get({ orgSlug: p.org.slug, apiSlug: draft.slug }),
      'NOT_FOUND',
    );
    // The default listing shows what developers can use: no drafts, even to their org.
    expect(await idsFor(p.caller)).not.toContain(draft.id);

    await p.caller.policy.retire({ orgSlug: p.org.slug, apiId: p.api.id, confirmSlug: p.api.slug });
    for (const viewer of [p.caller, subscriber.caller]) {
      expect(await idsFor(viewer, { status: 'RETIRED' })).toContain(p.api.id);
      expect((await viewer.catalog.get({ orgSlug: p.org.slug, apiSlug: p.api.slug })).status).toBe('RETIRED');
    }
    expect(await idsFor(stranger.caller, { status: 'any' })).not.toContain(p.api.id);
    await expectTrpcError(
      stranger.caller.catalog.get({ orgSlug: p.org.slug, apiSlug: p.api.slug }),
      'NOT_FOUND',
    );
  });

  it('serves anonymous visitors without any viewer-specific data', async () => {
    const p = await providerWithPlan();
    await p.caller.api.setAnonymousBrowse({ orgSlug: p.org.slug, allowAnonymousBrowse: true });
    const consumer = await consumerWithApp();
    await consumer.caller.subscription.create({
      orgSlug: consumer.org.slug,
      appId: consumer.app.id,
      planId: p.plan.id,
    });
    const anonymous = callerFor(null);
    const page = await anonymous.catalog.get({ orgSlug: p.org.slug, apiSlug: p.api.slug });
    expect(page).toMatchObject({ id: p.api.id, signedIn: false, mySubscriptions: [] });
    expect(page.plans).toHaveLength(1);
    await expectTrpcError(
      anonymous.catalog.myApps({ orgSlug: p.org.slug, apiSlug: p.api.slug }),
      'UNAUTHORIZED',
    );
    const facets = await anonymous.catalog.facets();
    expect(facets.orgs).toContainEqual({ slug: p.org.slug, name: p.org.name, count: 1 });
  });
});

describe('catalog hidden counts', () => {
  it('counts published APIs a viewer cannot see, without naming them or heeding filters', async () => {
    const provider = await member('OWNER', 'hider');
    const shared = await member('DEVELOPER', 'hshared');
    const other = await member('OWNER', 'hother');
    const anonymous = callerFor(null);
    const viewers = { anonymous, member: provider.caller, shared: shared.caller, other: other.caller };
    const counts = async () =>
      Object.fromEntries(
        await Promise.all(Object.entries(viewers).map(async ([who, c]) => [who, await c.catalog.hidden()])),
      ) as Record<keyof typeof viewers, { hidden: number; afterSignIn: number }>;
    const before = await counts();

    const orgApi = await makeApi(provider, { visibility: 'ORG', name: 'Secret Org API' });
    await makeApi(provider, { visibility: 'PRIVATE', name: 'Secret Private API' });
    await makeApi(provider, { visibility: 'PUBLIC' });
    await makeApi(provider, { visibility: 'PUBLIC', publish: false });
    await provider.caller.api.addShare({
      orgSlug: provider.org.slug,
      apiId: orgApi.id,
      shareWithSlug: shared.org.slug,
    });
    const delta = async () => {
      const now = await counts();
      return Object.fromEntries(
        Object.entries(now).map(([who, c]) => [
          who,
          {
            hidden: c.hidden - before[who as keyof typeof before].hidden,
            afterSignIn: c.afterSignIn - before[who as keyof typeof before].afterSignIn,
          },
        ]),
      );
    };
    // Drafts are nobody's business; the tenant keeps its catalog to signed-in developers (the default).
    expect(await delta()).toEqual({
      anonymous: { hidden: 3, afterSignIn: 1 },
      member: { hidden: 0, afterSignIn: 0 },
      shared: { hidden: 1, afterSignIn: 0 },
      other: { hidden: 2, afterSignIn: 0 },
    });

    await provider.caller.api.setAnonymousBrowse({ orgSlug: provider.org.slug, allowAnonymousBrowse: true });
    expect((await delta()).anonymous).toEqual({ hidden: 2, afterSignIn: 0 });

    // Only counts: an anonymous search for a hidden API's name finds nothing, and the list says nothing.
    const search = await anonymous.catalog.list({ q: 'Secret Private' });
    expect(search.total).toBe(0);
    expect(JSON.stringify(await anonymous.catalog.hidden())).not.toContain('Secret');
  });
});

describe('catalog search', () => {
  it('searches name, description and tags case-insensitively, filters by org, tag and status, and pages', async () => {
    const word = uniq('zebra').replace('-', '');
    const a = await member('OWNER', 'searcha');
    const b = await member('OWNER', 'searchb');
    const byName = await makeApi(a, { visibility: 'PUBLIC', name: `${word.toUpperCase()} Maps` });
    const byDescription = await makeApi(a, { visibility: 'PUBLIC', description: `Routes for ${word} herds` });
    const byTag = await makeApi(b, { visibility: 'PUBLIC', tags: [word, 'Geo'] });
    const unrelated = await makeApi(b, { visibility: 'PUBLIC', name: 'Unrelated' });
    const viewer = await member('OWNER', 'viewer');

    const found = await idsFor(viewer.caller, { q: word.slice(0, 3).toUpperCase() + word.slice(3) });
    expect(found).toEqual(expect.arrayContaining([byName.id, byDescription.id, byTag.id]));
    expect(found).not.toContain(unrelated.id);
    expect(await idsFor(viewer.caller, { q: word, org: a.org.slug })).toEqual(
      expect.arrayContaining([byName.id, byDescription.id]),
    );
    expect(await idsFor(viewer.caller, { q: word, org: a.org.slug })).toHaveLength(2);
    // Tags are stored lower-case: `Geo` was saved as `geo`, and tag filters match whole tags.
    expect(await idsFor(viewer.caller, { tag: 'GEO', org: b.org.slug })).toEqual([byTag.id]);
    expect(await idsFor(viewer.caller, { tag: 'ge', org: b.org.slug })).toEqual([]);
    expect((await viewer.caller.catalog.facets()).tags).toContainEqual({ tag: word, count: 1 });

    await a.caller.policy.deprecate({
      orgSlug: a.org.slug,
      apiId: byName.id,
      sunsetAt: new Date(Date.now() + 86_400_000),
    });
    expect(await idsFor(viewer.caller, { org: a.org.slug, status: 'DEPRECATED' })).toEqual([byName.id]);
    expect(await idsFor(viewer.caller, { org: a.org.slug, status: 'PUBLISHED' })).toEqual([byDescription.id]);

    const first = await viewer.caller.catalog.list({ q: word, pageSize: 2, page: 1 });
    const second = await viewer.caller.catalog.list({ q: word, pageSize: 2, page: 2 });
    expect(first).toMatchObject({ total: 3, page: 1, pageSize: 2, pageCount: 2 });
    expect(first.items).toHaveLength(2);
    expect(second.items).toHaveLength(1);
    expect(new Set([...first.items, ...second.items].map((i) => i.id)).size).toBe(3);
  });

  it('rejects oversized page sizes and search strings', async () => {
    const viewer = await member();
    await expectTrpcError(viewer.caller.catalog.list({ pageSize: 1000 }), 'BAD_REQUEST');
    await expectTrpcError(viewer.caller.catalog.list({ q: 'x'.repeat(101) }), 'BAD_REQUEST');
  });
});

describe('catalog API page', () => {
  it('gets one api with its plans and pricing, gateway URL and the viewer’s subscriptions', async () => {
    const provider = await providerWithPlan();
    await db.plan.update({
      where: { id: provider.plan.id },
      data: { pricing: { model: 'per_unit', currency: 'eur', unitPrice: '0.0025', flatFee: '9.00' } },
    });
    const consumer = await consumerWithApp();
    const before = await consumer.caller.catalog.get({
      orgSlug: provider.org.slug,
      apiSlug: provider.api.slug,
    });
    expect(before.gatewayBaseUrl).toMatch(new RegExp(`/${provider.org.slug}/${provider.api.slug}/$`));
    expect(before.plans).toEqual([
      expect.objectContaining({
        id: provider.plan.id,
        name: 'Basic',
        rateLimit: 10,
        monthlyQuota: 1000,
        pricing: expect.objectContaining({ model: 'per_unit', currency: 'eur', unitPrice: '0.0025' }),
      }),
    ]);
    expect(before.changelog).toEqual([expect.objectContaining({ title: 'Published v1' })]);
    expect(before.mySubscriptions).toEqual([]);
    await consumer.caller.subscription.create({
      orgSlug: consumer.org.slug,
      appId: consumer.app.id,
      planId: provider.plan.id,
    });
    const after = await consumer.caller.catalog.get({
      orgSlug: provider.org.slug,
      apiSlug: provider.api.slug,
    });
    expect(after.mySubscriptions).toEqual([
      expect.objectContaining({ appId: consumer.app.id, planId: provider.plan.id, status: 'PENDING' }),
    ]);
    // Other viewers never see someone else's subscriptions.
    const other = await member();
    const seenByOther = await other.caller.catalog.get({
      orgSlug: provider.org.slug,
      apiSlug: provider.api.slug,
    });
    expect(seenByOther.mySubscriptions).toEqual([]);
  });

  it('lists the viewer’s subscribed apps and live key hints for the try-it console, nothing more', async () => {
    const provider = await providerWithPlan({ requiresApproval: false });
    const consumer = await consumerWithApp();
    await consumer.caller.subscription.create({
      orgSlug: consumer.org.slug,
      appId: consumer.app.id,
      planId: provider.plan.id,
    });
    const live = await consumer.caller.key.create({
      orgSlug: consumer.org.slug,
      appId: consumer.app.id,
      name: 'live',
    });
    const dead = await consumer.caller.key.create({
      orgSlug: consumer.org.slug,
      appId: consumer.app.id,
      name: 'dead',
    });
    await consumer.caller.key.revoke({ orgSlug: consumer.org.slug, keyId: dead.key.id });
    const ref = { orgSlug: provider.org.slug, apiSlug: provider.api.slug };
    const apps = await consumer.caller.catalog.myApps(ref);
    expect(apps).toEqual([
      expect.objectContaining({
        appId: consumer.app.id,
        status: 'ACTIVE',
        planName: 'Basic',
        keys: [{ id: live.key.id, name: 'live', prefix: live.key.prefix, last4: live.key.last4 }],
      }),
    ]);
    expect(JSON.stringify(apps)).not.toContain(live.plaintext.slice(8));
    // Someone else sees none of it; a private API of another tenant is not even found.
    expect(await (await member()).caller.catalog.myApps(ref)).toEqual([]);
    const hidden = await member('OWNER', 'hidden');
    const secret = await makeApi(hidden, { visibility: 'PRIVATE' });
    await expectTrpcError(
      consumer.caller.catalog.myApps({ orgSlug: hidden.org.slug, apiSlug: secret.slug }),
      'NOT_FOUND',
    );
  });
});
