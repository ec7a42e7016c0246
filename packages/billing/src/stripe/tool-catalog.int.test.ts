import type Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeStripe, startFakeStripe } from '../../../../test/fakes/stripe/server.ts';
import { type EnsurePlanCatalogInput, ensurePlanCatalog, PlanCatalogInputError } from './catalog.ts';
import { createStripeClient } from './client.ts';

let fake: FakeStripe;
let stripe: Stripe;

beforeAll(async () => {
  fake = await startFakeStripe();
  stripe = createStripeClient({ secretKey: fake.secretKey, apiBase: fake.url });
});
afterAll(() => fake.close());

let seq = 0;
let plan: EnsurePlanCatalogInput;
const tool = (name: string, unitAmountDecimal: string) => ({
  tool: name,
  meterEventName: `portcullis.tools.tplan_${seq}.${name}`,
  unitAmountDecimal,
});
beforeEach(() => {
  seq += 1;
  plan = {
    tenantOrgId: 'org_tenant',
    planId: `tplan_${seq}`,
    planName: 'Tools',
    currency: 'usd',
    flatFeeMinor: 500n,
    usage: { meterEventName: `portcullis.requests.tplan_${seq}`, unitAmountDecimal: '0.1' },
    tools: [tool('search', '2'), tool('create_order', '10')],
  };
});

const price = (id: string | undefined) => fake.state.prices.get(id ?? '')!;
const creations = () =>
  fake.state.requests.filter((r) => r.method === 'POST' && /^\/v1\/(prices|billing\/meters)$/.test(r.path))
    .length;

describe('ensurePlanCatalog with tool prices', () => {
  it('makes a sum meter and a metered price per tool on the plan product, once', async () => {
    const ids = await ensurePlanCatalog(stripe, plan);
    expect(Object.keys(ids.toolPrices).sort()).toEqual(['create_order', 'search']);
    const search = ids.toolPrices.search!;
    expect(fake.state.meters.get(search.meterId)).toMatchObject({
      event_name: `portcullis.tools.tplan_${seq}.search`,
      default_aggregation: { formula: 'sum' },
    });
    expect(price(search.priceId)).toMatchObject({
      product: ids.productId,
      unit_amount_decimal: '2',
      recurring: { usage_type: 'metered', meter: search.meterId },
      metadata: { portcullis_price_role: 'tool', portcullis_tool: 'search' },
    });
    expect(search.meterId).not.toBe(ids.meterId);

    const objects = () => [fake.state.meters.size, fake.state.prices.size];
    const made = objects();
    // Without the recorded ids (a crash before they were stored): the idempotency keys replay.
    expect(await ensurePlanCatalog(stripe, plan)).toEqual(ids);
    expect(objects()).toEqual(made);
    // With them: nothing is even asked for.
    const before = creations();
    expect(await ensurePlanCatalog(stripe, { ...plan, existing: ids })).toEqual(ids);
    expect(creations()).toBe(before);
  });

  it('replaces a changed tool price and archives a removed one; meters stay', async () => {
    const first = await ensurePlanCatalog(stripe, plan);
    const second = await ensurePlanCatalog(stripe, {
      ...plan,
      tools: [tool('search', '3')],
      existing: first,
    });
    expect(second.toolPrices.search!.meterId).toBe(first.toolPrices.search!.meterId);
    expect(second.toolPrices.search!.priceId).not.toBe(first.toolPrices.search!.priceId);
    expect(second.toolPrices).not.toHaveProperty('create_order');
    expect(second.archivedPriceIds.sort()).toEqual(
      [first.toolPrices.search!.priceId, first.toolPrices.create_order!.priceId].sort(),
    );
    expect(price(first.toolPrices.search!.priceId).active).toBe(false);
    expect(price(first.toolPrices.create_order!.priceId).active).toBe(false);
    expect(price(second.toolPrices.search!.priceId)).toMatchObject({
      active: true,
      unit_amount_decimal: '3',
    });
    expect(second.usagePriceId).toBe(first.usagePriceId);
  });

  it('refuses more prices than a Stripe subscription can hold, before calling Stripe', async () => {
    const requests = fake.state.requests.length;
    const tools = Array.from({ length: 19 }, (_, i) => tool(`t${i}`, '1'));
    await expect(ensurePlanCatalog(stripe, { ...plan, tools })).rejects.toThrow(PlanCatalogInputError);
    await expect(ensurePlanCatalog(stripe, { ...plan, tools })).rejects.toThrow(/20 prices per subscription/);
    await expect(
      ensurePlanCatalog(stripe, { ...plan, tools: [tool('x', '1'), tool('x', '2')] }),
    ).rejects.toThrow(/priced twice/);
    expect(fake.state.requests.length).toBe(requests);
    // 18 tools + the fee + the request price fit.
    const fits = await ensurePlanCatalog(stripe, { ...plan, tools: tools.slice(0, 18) });
    expect(Object.keys(fits.toolPrices)).toHaveLength(18);
  });
});
