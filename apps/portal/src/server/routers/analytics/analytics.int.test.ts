import { hourStart } from '@portcullis/core/periods';
import { describe, expect, it } from 'vitest';
import { rebuildOrgRollups } from '../../../../../../test/org-rollups';
import {
  addMember,
  consumerWithApp,
  db,
  expectTrpcError,
  member,
  providerWithPlan,
} from '../../test/harness';
import { createCallerFactory, createTrpcContext, router } from '../../trpc';
import { analyticsRouter } from '.';

// root.ts is not this file's to edit: the procedures are mounted on a router of their own here.
const testRouter = router({ analytics: analyticsRouter });
const caller = (userId: string | null) => createCallerFactory(testRouter)(createTrpcContext({ db, userId }));

/** A provider whose plan a consumer subscribes to, with two hours of traffic just before now. */
async function trafficWorld() {
  const provider = await providerWithPlan({ requiresApproval: false, monthlyQuota: 500 });
  const consumer = await consumerWithApp();
  const sub = await consumer.caller.subscription.create({
    orgSlug: consumer.org.slug,
    appId: consumer.app.id,
    planId: provider.plan.id,
  });
  // The billing period began yesterday, so the traffic below counts against this period's quota.
  await db.subscription.update({
    where: { id: sub.id },
    data: { currentPeriodStart: new Date(Date.now() - 24 * 3_600_000) },
  });
  const hour = hourStart(new Date(Date.now() - 2 * 3_600_000));
  await db.usageRollup.createMany({
    data: [
      { subscriptionId: sub.id, bucketStart: hour, statusClass: 2, requests: 40n, billable: 40n },
      { subscriptionId: sub.id, bucketStart: hour, statusClass: 5, requests: 2n },
    ],
  });
  const counts = new Array<number>(14).fill(0);
  counts[3] = 40;
  counts[7] = 2;
  await db.latencyRollup.create({
    data: {
      apiId: provider.api.id,
      subscriptionId: sub.id,
      bucketStart: hour,
      counts,
      requests: 42n,
      errors: 2n,
    },
  });
  // The provider side reads the per-API histograms: the same request, summed over the API's callers.
  await db.latencyApiRollup.create({
    data: {
      apiId: provider.api.id,
      bucketStart: hour,
      counts: counts.map(BigInt),
      requests: 42n,
      errors: 2n,
    },
  });
  await rebuildOrgRollups(db, [provider.org.id, consumer.org.id]);
  const range = { from: new Date(Date.now() - 24 * 3_600_000), to: new Date() };
  return { provider, consumer, sub, range };
}

describe('analytics router', () => {
  it('charts the provider side and the consumer side of the same traffic, for every role', async () => {
    const { provider, consumer, sub, range } = await trafficWorld();
    const series = await caller(provider.user.id).analytics.timeseries({
      orgSlug: provider.org.slug,
      side: 'provider',
      ...range,
    });
    expect(series.grain).toBe('hour');
    expect(series.totals).toMatchObject({ requests: 42, errors: 2 });
    expect(series.totals.errorRate).toBeCloseTo(2 / 42, 10);
    expect(series.totals.p50).toBeGreaterThan(5);
    expect(series.totals.p50).toBeLessThanOrEqual(10);

    const viewer = await addMember(provider.org.id, 'VIEWER');
    const top = await caller(viewer.user.id).analytics.top({
      orgSlug: provider.org.slug,
      side: 'provider',
      ...range,
    });
    expect(top.consumers).toEqual([
      expect.objectContaining({ orgId: consumer.org.id, requests: 42, errors: 2 }),
    ]);
    const scope = await caller(viewer.user.id).analytics.scope({ orgSlug: provider.org.slug });
    expect(scope.provider?.apis.map((a) => a.id)).toEqual([provider.api.id]);
    expect(scope.consumer).toBeNull();

    const mine = await caller(consumer.user.id).analytics.timeseries({
      orgSlug: consumer.org.slug,
      side: 'consumer',
      ...range,
    });
    expect(mine.totals.requests).toBe(42);
    const burn = await caller(consumer.user.id).analytics.quotaBurnDown({
      orgSlug: consumer.org.slug,
      side: 'consumer',
      subscriptionId: sub.id,
    });
    expect(burn).toMatchObject({ quota: 500, used: 42 });
  });

  it('never shows another tenant anything: NOT_FOUND for its ids and its org, zeros for its own side', async () => {
    const { provider, sub, range } = await trafficWorld();
    const stranger = await member('OWNER', 'stranger');
    const as = caller(stranger.user.id).analytics;
    await expectTrpcError(
      as.timeseries({ orgSlug: provider.org.slug, side: 'provider', ...range }),
      'NOT_FOUND',
    );
    await expectTrpcError(
      as.timeseries({ orgSlug: stranger.org.slug, side: 'provider', ...range, apiId: provider.api.id }),
      'NOT_FOUND',
    );
    await expectTrpcError(
      as.quotaBurnDown({ orgSlug: stranger.org.slug, side: 'consumer', subscriptionId: sub.id }),
      'NOT_FOUND',
    );
    await expectTrpcError(
      as.top({ orgSlug: stranger.org.slug, side: 'consumer', ...range, subscriptionId: sub.id }),
      'NOT_FOUND',
    );
    const own = await as.timeseries({ orgSlug: stranger.org.slug, side: 'provider', ...range });
    expect(own.totals).toMatchObject({ requests: 0, errors: 0, p50: null });
    expect(await as.scope({ orgSlug: stranger.org.slug })).toEqual({ provider: null, consumer: null });
  });

  it('refuses anonymous callers and invalid ranges with field errors', async () => {
    const { provider, range } = await trafficWorld();
    await expectTrpcError(
      caller(null).analytics.timeseries({ orgSlug: provider.org.slug, side: 'provider', ...range }),
      'UNAUTHORIZED',
    );
    await expectTrpcError(caller(null).analytics.scope({ orgSlug: provider.org.slug }), 'UNAUTHORIZED');
    const error = await expectTrpcError(
      caller(provider.user.id).analytics.timeseries({
        orgSlug: provider.org.slug,
        side: 'provider',
        from: new Date('2020-01-01T00:00:00Z'),
        to: new Date('2021-06-01T00:00:00Z'),
      }),
      'BAD_REQUEST',
    );
    expect(error.message).toContain('at most 400 days');
  });
});
