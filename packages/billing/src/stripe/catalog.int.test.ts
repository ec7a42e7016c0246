import type Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeStripe, startFakeStripe } from '../../../../test/fakes/stripe/server.ts';
import {
  type EnsurePlanCatalogInput,
  ensurePlanCatalog,
  PlanCatalogInputError,
  planPricingHash,
} from './catalog.ts';
import { createStripeClient } from './client.ts';

let fake: FakeStripe;
let stripe: Stripe;

beforeAll(async () => {
  fake = await startFakeStripe();
  stripe = createStripeClient({ secretKey: fake.secretKey, apiBase: fake.url });
});
afterAll(() => fake.close());

let planSeq = 0;
let plan: EnsurePlanCatalogInput;
beforeEach(() => {
  planSeq += 1;
  plan = {
    tenantOrgId: 'org_tenant',
    planId: `plan_${planSeq}`,
    planName: 'Gold',
    currency: 'USD',
    flatFeeMinor: 1999n,
    usage: { meterEventName: `portcullis.calls.${planSeq}`, unitAmountDecimal: '0.50' },
  };
});

const posts = () => fake.state.requests.filter((r) => r.method === 'POST').length;
const price = (id: string | null) => fake.state.prices.get(id ?? '')!;

describe('ensurePlanCatalog', () => {
  it('creates a product, a sum meter and a flat plus a metered price', async () => {
    const ids = await ensurePlanCatalog(stripe, plan);

    const product = fake.state.products.get(ids.productId)!;
    expect(product).toMatchObject({ name: 'Gold', metadata: { portcullis_plan_id: plan.planId } });
    expect(fake.state.meters.get(ids.meterId!)).toMatchObject({
      event_name: plan.usage!.meterEventName,
      default_aggregation: { formula: 'sum' },
      customer_mapping: { event_payload_key: 'stripe_customer_id', type: 'by_id' },
      value_settings: { event_payload_key: 'value' },
    });
    expect(price(ids.flatPriceId)).toMatchObject({
      product: ids.productId,
      currency: 'usd',
      unit_amount: 1999,
      unit_amount_decimal: '1999',
      recurring: { interval: 'month', usage_type: 'licensed' },
    });
    expect(price(ids.usagePriceId)).toMatchObject({
      billing_scheme: 'per_unit',
      unit_amount_decimal: '0.5',
      recurring: { interval: 'month', usage_type: 'metered', meter: ids.meterId },
    });
    expect(ids.pricingHash).toBe(planPricingHash(plan));
    expect(ids.archivedPriceIds).toEqual([]);
  });

  it('creates each object once when called twice without recorded ids (idempotency keys replay)', async () => {
    const before = {
      products: fake.state.products.size,
      prices: fake.state.prices.size,
      meters: fake.state.meters.size,
    };
    const first = await ensurePlanCatalog(stripe, plan);
    const second = await ensurePlanCatalog(stripe, plan);

    expect(second).toEqual(first);
    expect(fake.state.products.size).toBe(before.products + 1);
    expect(fake.state.meters.size).toBe(before.meters + 1);
    expect(fake.state.prices.size).toBe(before.prices + 2);
    const creations = fake.state.requests.filter(
      (r) => r.method === 'POST' && /^\/v1\/(products|prices|billing\/meters)$/.test(r.path),
    );
    expect(creations.filter((r) => r.outcome === 'replayed').length).toBeGreaterThanOrEqual(4);
  });

  it('makes no creations at all when the recorded ids still fit', async () => {
    const first = await ensurePlanCatalog(stripe, plan);
    const postsBefore = posts();
    const again = await ensurePlanCatalog(stripe, { ...plan, existing: first });
    expect(again).toEqual(first);
    expect(posts()).toBe(postsBefore);
  });

  it('replaces a changed price, archives the old one and keeps the unchanged one', async () => {
    const first = await ensurePlanCatalog(stripe, plan);
    const changed = await ensurePlanCatalog(stripe, { ...plan, flatFeeMinor: 2999n, existing: first });

    expect(changed.flatPriceId).not.toBe(first.flatPriceId);
    expect(price(changed.flatPriceId).unit_amount).toBe(2999);
    expect(price(first.flatPriceId).active).toBe(false);
    expect(changed.usagePriceId).toBe(first.usagePriceId);
    expect(changed.archivedPriceIds).toEqual([first.flatPriceId]);
    expect(changed.pricingHash).not.toBe(first.pricingHash);
  });

  it('renames the product in place', async () => {
    const first = await ensurePlanCatalog(stripe, plan);
    const renamed = await ensurePlanCatalog(stripe, { ...plan, planName: 'Platinum', existing: first });
    expect(renamed.productId).toBe(first.productId);
    expect(fake.state.products.get(first.productId)!.name).toBe('Platinum');
    expect(renamed.pricingHash).toBe(first.pricingHash);
  });

  it('drops the flat price of a usage-only plan and archives it when the fee goes to zero', async () => {
    const first = await ensurePlanCatalog(stripe, plan);
    const usageOnly = await ensurePlanCatalog(stripe, { ...plan, flatFeeMinor: 0n, existing: first });
    expect(usageOnly.flatPriceId).toBeNull();
    expect(usageOnly.archivedPriceIds).toEqual([first.flatPriceId]);

    const flatOnly = await ensurePlanCatalog(stripe, {
      ...plan,
      planId: `${plan.planId}-free`,
      flatFeeMinor: 0n,
      usage: undefined,
    });
    expect(flatOnly.meterId).toBeNull();
    expect(flatOnly.usagePriceId).toBeNull();
    expect(price(flatOnly.flatPriceId).unit_amount).toBe(0);
  });

  it('creates graduated tiers with exact amounts', async () => {
    const ids = await ensurePlanCatalog(stripe, {
      ...plan,
      usage: {
        meterEventName: plan.usage!.meterEventName,
        tiers: [
          { upTo: 1000n, unitAmountDecimal: '0' },
          { upTo: 'inf', unitAmountDecimal: '0.25', flatAmountMinor: 500n },
        ],
      },
    });
    const retrieved = await stripe.prices.retrieve(ids.usagePriceId!, { expand: ['tiers'] });
    expect(retrieved.billing_scheme).toBe('tiered');
    expect(retrieved.tiers_mode).toBe('graduated');
    expect(retrieved.tiers).toEqual([
      { flat_amount: null, flat_amount_decimal: null, unit_amount: 0, unit_amount_decimal: '0', up_to: 1000 },
      {
        flat_amount: 500,
        flat_amount_decimal: '500',
        unit_amount: null,
        unit_amount_decimal: '0.25',
        up_to: null,
      },
    ]);
  });

  it('sends fees beyond 2^53 as exact decimal strings', async () => {
    const ids = await ensurePlanCatalog(stripe, { ...plan, flatFeeMinor: 12345678901234567891n });
    expect(price(ids.flatPriceId).unit_amount_decimal).toBe('12345678901234567891');
  });

  it('adopts the meter that already uses the event name when its id was lost', async () => {
    const first = await ensurePlanCatalog(stripe, plan);
    // Another plan id means another idempotency key, so only the event-name conflict can find the meter.
    const adopted = await ensurePlanCatalog(stripe, { ...plan, planId: `${plan.planId}-copy` });
    expect(adopted.meterId).toBe(first.meterId);
    const meterCreations = fake.state.requestsTo('POST', '/v1/billing/meters');
    expect(meterCreations.at(-1)?.status).toBe(400);
  });

  it('refuses bad input before calling Stripe', async () => {
    const postsBefore = posts();
    const bad: EnsurePlanCatalogInput[] = [
      { ...plan, flatFeeMinor: -1n },
      { ...plan, currency: 'dollars' },
      { ...plan, usage: { meterEventName: 'x', unitAmountDecimal: '1,5' } },
      { ...plan, usage: { meterEventName: 'x' } },
      {
        ...plan,
        usage: {
          meterEventName: 'x',
          unitAmountDecimal: '1',
          tiers: [{ upTo: 'inf', unitAmountDecimal: '1' }],
        },
      },
      { ...plan, usage: { meterEventName: 'x', tiers: [{ upTo: 10n, unitAmountDecimal: '1' }] } },
      { ...plan, usage: { meterEventName: 'has space', unitAmountDecimal: '1' } },
    ];
    for (const input of bad) {
      await expect(ensurePlanCatalog(stripe, input)).rejects.toBeInstanceOf(PlanCatalogInputError);
    }
    expect(posts()).toBe(postsBefore);
  });

  it('recreates objects whose recorded ids no longer exist', async () => {
    const ids = await ensurePlanCatalog(stripe, {
      ...plan,
      existing: {
        productId: 'prod_gone',
        meterId: 'mtr_gone',
        flatPriceId: 'price_gone',
        usagePriceId: 'price_gone2',
      },
    });
    expect(ids.productId).toMatch(/^prod_/);
    expect(ids.productId).not.toBe('prod_gone');
    expect(fake.state.meters.has(ids.meterId!)).toBe(true);
    expect(ids.archivedPriceIds).toEqual([]);
  });
});
