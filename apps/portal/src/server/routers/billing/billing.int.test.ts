import { hourStart } from '@portcullis/core/periods';
import { describe, expect, it } from 'vitest';
import {
  addMember,
  callerFor,
  db,
  expectTrpcError,
  listenConfig,
  member,
  providerWithPlan,
} from '../../test/harness';
import { httpMutation } from '../../test/http';
import { invoicedWorld, PER_UNIT } from './test-world';

describe('billing.setPlanPricing / planPricing', () => {
  it('stores validated pricing, keeps Plan.currency in sync, audits and notifies gateways', async () => {
    const provider = await providerWithPlan();
    const listener = await listenConfig();
    try {
      const saved = await provider.caller.billing.setPlanPricing({
        orgSlug: provider.org.slug,
        planId: provider.plan.id,
        pricing: { model: 'included_overage', flatFee: '9.90', includedUnits: 1000, currency: 'EUR' },
      });
      expect(saved).toMatchObject({ planId: provider.plan.id, currency: 'eur' });
      expect(await listener.next((c) => c.kind === 'plan' && c.id === provider.plan.id)).toEqual({
        kind: 'plan',
        id: provider.plan.id,
      });
    } finally {
      await listener.close();
    }
    const plan = await db.plan.findUniqueOrThrow({ where: { id: provider.plan.id } });
    expect(plan.currency).toBe('eur');
    expect(plan.pricing).toMatchObject({ model: 'included_overage', flatFee: '9.90', includedUnits: 1000 });
    expect(
      await db.auditLog.findFirst({
        where: {
          action: 'plan.setPricing',
          targetId: plan.id,
          orgId: provider.org.id,
          actorId: provider.user.id,
        },
      }),
    ).toMatchObject({ before: { currency: 'usd' }, after: { currency: 'eur' } });
    const read = await provider.caller.billing.planPricing({ orgSlug: provider.org.slug, planId: plan.id });
    expect(read).toMatchObject({ planId: plan.id, canManage: true, pricing: { model: 'included_overage' } });
  });

  it('answers invalid pricing with BAD_REQUEST and field-level messages', async () => {
    const provider = await providerWithPlan();
    const perUnit = await httpMutation(provider.user.id, 'billing.setPlanPricing', {
      orgSlug: provider.org.slug,
      planId: provider.plan.id,
      pricing: { model: 'per_unit', flatFee: '1.001' },
    });
    expect(perUnit).toMatchObject({
      status: 400,
      fields: {
        'pricing.unitPrice': 'Enter the price per request',
        'pricing.flatFee': 'At most 2 decimals for USD',
      },
    });
    const exponent = await httpMutation(provider.user.id, 'billing.setPlanPricing', {
      orgSlug: provider.org.slug,
      planId: provider.plan.id,
      pricing: { model: 'flat', flatFee: '1e3' },
    });
    expect(exponent).toMatchObject({
      status: 400,
      fields: { 'pricing.flatFee': expect.stringMatching(/exponent/) },
    });
    const tiers = await httpMutation(provider.user.id, 'billing.setPlanPricing', {
      orgSlug: provider.org.slug,
      planId: provider.plan.id,
      pricing: {
        model: 'graduated',
        tiers: [
          { upTo: 100, unitPrice: '0.01' },
          { upTo: 50, unitPrice: '0.005' },
          { upTo: null, unitPrice: '0.001' },
        ],
      },
    });
    expect(tiers).toMatchObject({
      status: 400,
      fields: { 'pricing.tiers.1.upTo': expect.stringContaining('100') },
    });
    const plan = await db.plan.findUniqueOrThrow({ where: { id: provider.plan.id } });
    expect(plan.pricing).toEqual({ model: 'free' });
  });

  it("refuses other tenants' plans, lower roles, signed-out callers, and ignores extra fields", async () => {
    const provider = await providerWithPlan();
    const other = await member('OWNER', 'other');
    await expectTrpcError(
      other.caller.billing.setPlanPricing({
        orgSlug: other.org.slug,
        planId: provider.plan.id,
        pricing: PER_UNIT,
      }),
      'NOT_FOUND',
    );
    await expectTrpcError(
      other.caller.billing.planPricing({ orgSlug: other.org.slug, planId: provider.plan.id }),
      'NOT_FOUND',
    );
    await expectTrpcError(
      other.caller.billing.setPlanPricing({
        orgSlug: provider.org.slug,
        planId: provider.plan.id,
        pricing: PER_UNIT,
      }),
      'NOT_FOUND',
    );
    for (const role of ['VIEWER', 'DEVELOPER'] as const) {
      const low = await addMember(provider.org.id, role);
      await expectTrpcError(
        low.caller.billing.setPlanPricing({
          orgSlug: provider.org.slug,
          planId: provider.plan.id,
          pricing: PER_UNIT,
        }),
        'FORBIDDEN',
      );
      const read = await low.caller.billing.planPricing({
        orgSlug: provider.org.slug,
        planId: provider.plan.id,
      });
      expect(read.canManage).toBe(false);
    }
    await expectTrpcError(
      callerFor(null).billing.setPlanPricing({
        orgSlug: provider.org.slug,
        planId: provider.plan.id,
        pricing: PER_UNIT,
      }),
      'UNAUTHORIZED',
    );
    expect((await db.plan.findUniqueOrThrow({ where: { id: provider.plan.id } })).pricing).toEqual({
      model: 'free',
    });

    const otherPlan = await providerWithPlan();
    await provider.caller.billing.setPlanPricing({
      orgSlug: provider.org.slug,
      planId: provider.plan.id,
      pricing: { ...PER_UNIT, planId: otherPlan.plan.id, apiId: otherPlan.api.id },
      orgId: otherPlan.org.id,
      status: 'ARCHIVED',
    } as never);
    const stored = await db.plan.findUniqueOrThrow({ where: { id: provider.plan.id } });
    expect(stored.archivedAt).toBeNull();
    expect(stored.pricing).not.toHaveProperty('planId');
    expect(stored.pricing).toMatchObject({ model: 'per_unit', unitPrice: '0.002' });
    expect((await db.plan.findUniqueOrThrow({ where: { id: otherPlan.plan.id } })).pricing).toEqual({
      model: 'free',
    });
  });
});

describe('billing invoices', () => {
  it('closes periods (platform admins only) and shows the exact invoice to both sides', async () => {
    const { provider, consumer, invoice, summary } = await invoicedWorld();
    expect(summary.invoicesCreated).toBeGreaterThanOrEqual(1);
    expect(invoice).toMatchObject({
      status: 'FINALIZED',
      totalMinor: 447n,
      billedVia: 'local',
      number: 'INV-000001',
    });
    await expectTrpcError(provider.caller.billing.closePeriodsNow(), 'FORBIDDEN');
    await expectTrpcError(callerFor(null).billing.closePeriodsNow(), 'UNAUTHORIZED');

    const list = await consumer.caller.billing.invoices({ orgSlug: consumer.org.slug });
    expect(list).toMatchObject({
      total: 1,
      rows: [{ id: invoice.id, totalMinor: 447n, status: 'FINALIZED' }],
    });
    const viewer = await addMember(consumer.org.id, 'VIEWER');
    const detail = await viewer.caller.billing.invoice({ orgSlug: consumer.org.slug, invoiceId: invoice.id });
    expect(detail.viewerIsProvider).toBe(false);
    expect(detail.lines.map((l) => [l.kind, l.quantity, l.unitPrice, l.amountMinor])).toEqual([
      ['flat_fee', 1n, '2', 200n],
      ['usage', 1234n, '0.002', 247n],
    ]);
    expect(
      (await provider.caller.billing.invoice({ orgSlug: provider.org.slug, invoiceId: invoice.id }))
        .viewerIsProvider,
    ).toBe(true);
    const providerList = await provider.caller.billing.invoices({
      orgSlug: provider.org.slug,
      side: 'provider',
    });
    expect(providerList.rows.map((r) => r.id)).toEqual([invoice.id]);
  });

  it('hides invoices from other orgs and provider VIEWERs, and provider lists from lower roles', async () => {
    const { provider, consumer, invoice } = await invoicedWorld();
    const stranger = await member('OWNER', 'stranger');
    await expectTrpcError(
      stranger.caller.billing.invoice({ orgSlug: stranger.org.slug, invoiceId: invoice.id }),
      'NOT_FOUND',
    );
    await expectTrpcError(
      stranger.caller.billing.invoice({ orgSlug: consumer.org.slug, invoiceId: invoice.id }),
      'NOT_FOUND',
    );
    const providerViewer = await addMember(provider.org.id, 'VIEWER');
    await expectTrpcError(
      providerViewer.caller.billing.invoice({ orgSlug: provider.org.slug, invoiceId: invoice.id }),
      'NOT_FOUND',
    );
    await expectTrpcError(
      providerViewer.caller.billing.invoices({ orgSlug: provider.org.slug, side: 'provider' }),
      'FORBIDDEN',
    );
    expect((await stranger.caller.billing.invoices({ orgSlug: stranger.org.slug })).total).toBe(0);
    await expectTrpcError(callerFor(null).billing.invoices({ orgSlug: consumer.org.slug }), 'UNAUTHORIZED');
  });

  it('lets the provider mark a local invoice paid or void it; nobody else', async () => {
    const { provider, consumer, invoice } = await invoicedWorld();
    await expectTrpcError(
      consumer.caller.billing.markPaid({ orgSlug: consumer.org.slug, invoiceId: invoice.id }),
      'NOT_FOUND',
    );
    const developer = await addMember(provider.org.id, 'DEVELOPER');
    await expectTrpcError(
      developer.caller.billing.markPaid({ orgSlug: provider.org.slug, invoiceId: invoice.id }),
      'FORBIDDEN',
    );
    await expectTrpcError(
      developer.caller.billing.void({ orgSlug: provider.org.slug, invoiceId: invoice.id }),
      'FORBIDDEN',
    );
    const unpaid = await provider.caller.billing.unpaidInvoices({ orgSlug: provider.org.slug });
    expect(unpaid.rows.map((r) => r.id)).toEqual([invoice.id]);
    const admin = await addMember(provider.org.id, 'ADMIN');
    expect(
      await admin.caller.billing.markPaid({
        orgSlug: provider.org.slug,
        invoiceId: invoice.id,
        status: 'VOID',
      } as never),
    ).toMatchObject({ status: 'PAID' });
    expect(
      await db.auditLog.findFirst({
        where: { action: 'invoice.markPaid', targetId: invoice.id, actorId: admin.user.id },
      }),
    ).toMatchObject({ orgId: provider.org.id });
    await expectTrpcError(
      admin.caller.billing.void({ orgSlug: provider.org.slug, invoiceId: invoice.id }),
      'CONFLICT',
    );
    expect((await provider.caller.billing.unpaidInvoices({ orgSlug: provider.org.slug })).rows).toEqual([]);
    await expectTrpcError(
      callerFor(null).billing.markPaid({ orgSlug: provider.org.slug, invoiceId: invoice.id }),
      'UNAUTHORIZED',
    );
  });
});

describe('billing reports', () => {
  it("reports the provider's revenue and top consumers to ADMIN/OWNER only", async () => {
    const { provider, consumer, invoice } = await invoicedWorld();
    const revenue = await provider.caller.billing.providerRevenue({ orgSlug: provider.org.slug });
    const month = invoice.finalizedAt?.toISOString().slice(0, 7);
    expect(revenue.rows).toEqual([
      expect.objectContaining({
        month,
        apiName: 'Weather',
        planName: 'Basic',
        currency: 'usd',
        invoicedMinor: 447n,
      }),
    ]);
    const top = await provider.caller.billing.topConsumers({ orgSlug: provider.org.slug, days: 60 });
    expect(top.byRevenue).toEqual([expect.objectContaining({ slug: consumer.org.slug, totalMinor: 447n })]);
    expect(top.byRequests).toEqual([expect.objectContaining({ slug: consumer.org.slug, requests: 1300n })]);
    const viewer = await addMember(provider.org.id, 'VIEWER');
    await expectTrpcError(viewer.caller.billing.providerRevenue({ orgSlug: provider.org.slug }), 'FORBIDDEN');
    await expectTrpcError(viewer.caller.billing.topConsumers({ orgSlug: provider.org.slug }), 'FORBIDDEN');
    await expectTrpcError(viewer.caller.billing.unpaidInvoices({ orgSlug: provider.org.slug }), 'FORBIDDEN');
    // The consumer org issued nothing.
    expect((await consumer.caller.billing.providerRevenue({ orgSlug: consumer.org.slug })).rows).toEqual([]);
    await expectTrpcError(
      callerFor(null).billing.providerRevenue({ orgSlug: provider.org.slug }),
      'UNAUTHORIZED',
    );
  });

  it("shows the consumer this period's usage against quota and the projected charge", async () => {
    const { provider, consumer, sub } = await invoicedWorld();
    await db.usageRollup.create({
      data: {
        subscriptionId: sub.id,
        bucketStart: hourStart(new Date()),
        statusClass: 2,
        requests: 10n,
        billable: 10n,
      },
    });
    const developer = await addMember(consumer.org.id, 'DEVELOPER');
    const overview = await developer.caller.billing.consumerOverview({ orgSlug: consumer.org.slug });
    expect(overview.subscriptions).toEqual([
      expect.objectContaining({
        subscriptionId: sub.id,
        billableUsed: 10n,
        plan: expect.objectContaining({ monthlyQuota: 100_000 }),
        api: expect.objectContaining({
          providerOrg: { id: provider.org.id, slug: provider.org.slug, name: provider.org.name },
        }),
        projected: expect.objectContaining({ currency: 'usd' }),
      }),
    ]);
    const projected = overview.subscriptions[0]?.projected?.totalMinor ?? 0n;
    expect(projected).toBeGreaterThanOrEqual(202n); // the 2.00 fee plus at least the 10 requests so far
    expect(
      (await provider.caller.billing.consumerOverview({ orgSlug: provider.org.slug })).subscriptions,
    ).toEqual([]);
    await expectTrpcError(
      callerFor(null).billing.consumerOverview({ orgSlug: consumer.org.slug }),
      'UNAUTHORIZED',
    );
  });
});
