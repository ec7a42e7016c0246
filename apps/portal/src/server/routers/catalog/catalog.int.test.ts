import { describe, expect, it } from 'vitest';
import {
  callerFor,
  consumerWithApp,
  expectTrpcError,
  member,
  providerWithPlan,
  uniq,
} from '../../test/harness';

describe('catalog', () => {
  it('lists published PUBLIC apis to everyone and PRIVATE/ORG ones only to their org', async () => {
    const provider = await providerWithPlan();
    const { caller, org } = provider;
    const make = async (visibility: 'PRIVATE' | 'ORG' | 'PUBLIC', publish: boolean) => {
      const api = await caller.api.create({
        orgSlug: org.slug,
        name: `${visibility}-${publish}`,
        slug: uniq(visibility.toLowerCase()),
        upstreamUrl: 'http://127.0.0.1:9',
        visibility,
      });
      if (publish) await caller.api.publish({ orgSlug: org.slug, apiId: api.id });
      return api;
    };
    const privateApi = await make('PRIVATE', true);
    const orgApi = await make('ORG', true);
    const draft = await make('PUBLIC', false);

    const outsider = await member();
    const outsiderIds = (await outsider.caller.catalog.list()).map((a) => a.id);
    expect(outsiderIds).toContain(provider.api.id);
    expect(outsiderIds).not.toContain(privateApi.id);
    expect(outsiderIds).not.toContain(orgApi.id);
    expect(outsiderIds).not.toContain(draft.id);
    const anonymousIds = (await callerFor(null).catalog.list()).map((a) => a.id);
    expect(anonymousIds).toContain(provider.api.id);
    expect(anonymousIds).not.toContain(privateApi.id);

    const insiderIds = (await caller.catalog.list()).map((a) => a.id);
    expect(insiderIds).toEqual(expect.arrayContaining([provider.api.id, privateApi.id, orgApi.id]));
    expect(insiderIds).not.toContain(draft.id);

    await expectTrpcError(
      outsider.caller.catalog.get({ orgSlug: org.slug, apiSlug: privateApi.slug }),
      'NOT_FOUND',
    );
    await expectTrpcError(
      outsider.caller.catalog.get({ orgSlug: org.slug, apiSlug: draft.slug }),
      'NOT_FOUND',
    );
    expect((await caller.catalog.get({ orgSlug: org.slug, apiSlug: privateApi.slug })).id).toBe(
      privateApi.id,
    );
  });

  it('gets one api with its plans, gateway URL and the viewer’s subscriptions', async () => {
    const provider = await providerWithPlan();
    const consumer = await consumerWithApp();
    const before = await consumer.caller.catalog.get({
      orgSlug: provider.org.slug,
      apiSlug: provider.api.slug,
    });
    expect(before.gatewayBaseUrl).toMatch(new RegExp(`/${provider.org.slug}/${provider.api.slug}/$`));
    expect(before.plans).toEqual([
      expect.objectContaining({ id: provider.plan.id, name: 'Basic', rateLimit: 10, monthlyQuota: 1000 }),
    ]);
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
});
