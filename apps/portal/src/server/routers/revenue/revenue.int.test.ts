import { describe, expect, it } from 'vitest';
import { addMember, expectTrpcError, member } from '../../test/harness';
import { invoicedWorld } from '../billing/test-world';

describe('revenue.overview', () => {
  it('gives the provider its MRR, paid subscriptions per month and revenue by API and plan', async () => {
    const { provider, invoice } = await invoicedWorld();
    const view = await provider.caller.revenue.overview({ orgSlug: provider.org.slug, months: 3 });
    // The per-unit plan's 2.00 fee is its recurring part; the subscription is active.
    expect(view.mrr.totals).toEqual([{ currency: 'usd', amountMinor: 200n, subscriptions: 1 }]);
    expect(view.paidSubscriptions.months).toHaveLength(3);
    const billed = view.paidSubscriptions.currencies[0]!.points.filter((p) => p.subscriptions > 0);
    expect(billed).toEqual([expect.objectContaining({ subscriptions: 1, amountMinor: invoice.totalMinor })]);
    expect(view.breakdown.byApi).toEqual([
      { apiId: provider.api.id, apiName: 'Weather', currency: 'usd', amountMinor: 447n },
    ]);
    expect(view.breakdown.byPlan.map((r) => [r.planName, r.amountMinor])).toEqual([['Basic', 447n]]);
  });

  it('refuses members below admin, and other orgs as not found', async () => {
    const { provider } = await invoicedWorld();
    const viewer = await addMember(provider.org.id, 'VIEWER');
    await expectTrpcError(viewer.caller.revenue.overview({ orgSlug: provider.org.slug }), 'FORBIDDEN');
    const stranger = await member('OWNER', 'stranger');
    await expectTrpcError(stranger.caller.revenue.overview({ orgSlug: provider.org.slug }), 'NOT_FOUND');
    const own = await stranger.caller.revenue.overview({ orgSlug: stranger.org.slug });
    expect(own.mrr.totals).toEqual([]);
    expect(own.breakdown.byApi).toEqual([]);
  });
});
