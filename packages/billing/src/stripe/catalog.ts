import type Stripe from 'stripe';
import { asStripeError, isResourceMissing } from './errors.ts';
import { contentHash, stripeIdempotencyKey } from './idempotency.ts';

/** Payload keys of every Portcullis meter event (see meter-events.ts). */
export const METER_CUSTOMER_PAYLOAD_KEY = 'stripe_customer_id';
export const METER_VALUE_PAYLOAD_KEY = 'value';

export interface UsageTier {
  /** last unit of the tier, or 'inf' for the final tier */
  upTo: bigint | 'inf';
  /** price per unit in minor units, as Stripe's decimal string (up to 12 decimals), e.g. "0.05" */
  unitAmountDecimal?: string;
  /** flat amount for reaching the tier, in minor units */
  flatAmountMinor?: bigint;
}

interface PlanUsagePricing {
  /** the meter's event_name; one meter per name per Stripe account */
  meterEventName: string;
  /** per-unit price in minor units as a decimal string, e.g. "0.5" = half a cent per call */
  unitAmountDecimal?: string;
  tiers?: readonly UsageTier[];
  tiersMode?: 'graduated' | 'volume';
}

interface ExistingPlanCatalog {
  productId?: string | null;
  meterId?: string | null;
  flatPriceId?: string | null;
  usagePriceId?: string | null;
}

export interface EnsurePlanCatalogInput {
  tenantOrgId: string;
  planId: string;
  planName: string;
  /** ISO 4217, any case */
  currency: string;
  interval?: 'month' | 'year';
  /** recurring fee per interval in minor units; 0 makes no flat price unless the plan has no usage price */
  flatFeeMinor: bigint;
  usage?: PlanUsagePricing;
  /** ids recorded earlier; reused when they still describe this pricing */
  existing?: ExistingPlanCatalog;
}

export interface PlanCatalog {
  productId: string;
  meterId: string | null;
  meterEventName: string | null;
  flatPriceId: string | null;
  usagePriceId: string | null;
  /** planPricingHash of the input: store it to skip the calls while pricing is unchanged */
  pricingHash: string;
  /** prices replaced by this call and archived (active=false): subscriptions on them need moving */
  archivedPriceIds: string[];
}

export class PlanCatalogInputError extends Error {
  override readonly name = 'PlanCatalogInputError';
}

const DECIMAL = /^\d+(\.\d{1,12})?$/;
const EVENT_NAME = /^[A-Za-z0-9_.:-]{1,100}$/;

function normalizeDecimal(value: string): string {
  const trimmed = value.includes('.') ? value.replace(/0+$/, '').replace(/\.$/, '') : value;
  return trimmed.replace(/^0+(?=\d)/, '');
}

function validate(input: EnsurePlanCatalogInput): void {
  if (!input.tenantOrgId || !input.planId)
    throw new PlanCatalogInputError('tenantOrgId and planId are required');
  if (!input.planName.trim()) throw new PlanCatalogInputError('planName must not be empty');
  if (!/^[a-z]{3}$/i.test(input.currency))
    throw new PlanCatalogInputError(`not an ISO currency: ${input.currency}`);
  if (input.flatFeeMinor < 0n) throw new PlanCatalogInputError('flatFeeMinor must not be negative');
  const usage = input.usage;
  if (!usage) return;
  if (!EVENT_NAME.test(usage.meterEventName)) {
    throw new PlanCatalogInputError(
      `meterEventName must be 1-100 of [A-Za-z0-9_.:-]: ${usage.meterEventName}`,
    );
  }
  if ((usage.unitAmountDecimal === undefined) === (usage.tiers === undefined)) {
    throw new PlanCatalogInputError('usage needs exactly one of unitAmountDecimal and tiers');
  }
  if (usage.unitAmountDecimal !== undefined && !DECIMAL.test(usage.unitAmountDecimal)) {
    throw new PlanCatalogInputError(`unitAmountDecimal must be a decimal string: ${usage.unitAmountDecimal}`);
  }
  if (usage.tiers) validateTiers(usage.tiers);
}

function validateTiers(tiers: readonly UsageTier[]): void {
  if (tiers.length === 0) throw new PlanCatalogInputError('tiers must not be empty');
  let previous = 0n;
  tiers.forEach((tier, index) => {
    const last = index === tiers.length - 1;
    if ((tier.upTo === 'inf') !== last)
      throw new PlanCatalogInputError("only the last tier, and it must, goes up to 'inf'");
    if (tier.upTo !== 'inf') {
      if (tier.upTo <= previous)
        throw new PlanCatalogInputError('tier bounds must be positive and ascending');
      if (tier.upTo > BigInt(Number.MAX_SAFE_INTEGER))
        throw new PlanCatalogInputError('tier bound too large');
      previous = tier.upTo;
    }
    if (tier.unitAmountDecimal === undefined && tier.flatAmountMinor === undefined) {
      throw new PlanCatalogInputError(`tier ${index} has neither unitAmountDecimal nor flatAmountMinor`);
    }
    if (tier.unitAmountDecimal !== undefined && !DECIMAL.test(tier.unitAmountDecimal)) {
      throw new PlanCatalogInputError(`tier ${index} unitAmountDecimal must be a decimal string`);
    }
    if (tier.flatAmountMinor !== undefined && tier.flatAmountMinor < 0n) {
      throw new PlanCatalogInputError(`tier ${index} flatAmountMinor must not be negative`);
    }
  });
}

/** Identifies the pricing (not the names): equal hashes mean the Stripe prices can stay. */
export function planPricingHash(input: EnsurePlanCatalogInput): string {
  const usage = input.usage;
  return contentHash({
    currency: input.currency.toLowerCase(),
    interval: input.interval ?? 'month',
    flatFeeMinor: input.flatFeeMinor,
    usage: usage && {
      meterEventName: usage.meterEventName,
      unitAmountDecimal: usage.unitAmountDecimal && normalizeDecimal(usage.unitAmountDecimal),
      tiersMode: usage.tiers ? (usage.tiersMode ?? 'graduated') : undefined,
      tiers: usage.tiers?.map((tier) => ({
        upTo: tier.upTo,
        unitAmountDecimal: tier.unitAmountDecimal && normalizeDecimal(tier.unitAmountDecimal),
        flatAmountMinor: tier.flatAmountMinor,
      })),
    },
  });
}

async function retrieveOrNull<T>(load: () => Promise<T>): Promise<T | null> {
  try {
    return await load();
  } catch (error) {
    if (isResourceMissing(error)) return null;
    throw error;
  }
}

/**
 * Makes sure the tenant's Stripe account holds a product for the plan, a sum meter for its usage and
 * the prices, reusing `existing` ids that still fit. Safe to call again at any time: creations carry
 * deterministic idempotency keys and price changes create new prices (Stripe prices are immutable),
 * archiving the old ones.
 */
export async function ensurePlanCatalog(stripe: Stripe, input: EnsurePlanCatalogInput): Promise<PlanCatalog> {
  validate(input);
  const currency = input.currency.toLowerCase();
  const interval = input.interval ?? 'month';
  const existing = input.existing ?? {};
  const scope = (kind: string) => ['plan', input.tenantOrgId, input.planId, kind];
  const baseMetadata = { portcullis_tenant_org_id: input.tenantOrgId, portcullis_plan_id: input.planId };

  const productId = await ensureProduct(
    stripe,
    existing.productId,
    input.planName,
    baseMetadata,
    scope('product'),
  );
  const meterId = input.usage
    ? await ensureMeter(stripe, existing.meterId, input.usage.meterEventName, scope('meter'))
    : null;

  const wantFlat = input.flatFeeMinor > 0n || !input.usage;
  const archived: string[] = [];
  const place = async (
    role: 'flat' | 'usage',
    wanted: Omit<Stripe.PriceCreateParams, 'metadata'> | null,
    existingId: string | null | undefined,
  ): Promise<string | null> => {
    if (!wanted) {
      if (existingId && (await archivePrice(stripe, existingId))) archived.push(existingId);
      return null;
    }
    const placed = await ensurePrice(
      stripe,
      existingId,
      wanted,
      { ...baseMetadata, portcullis_price_role: role },
      scope(`${role}-price`),
    );
    if (placed.replacedId && (await archivePrice(stripe, placed.replacedId)))
      archived.push(placed.replacedId);
    return placed.id;
  };

  const flatPriceId = await place(
    'flat',
    wantFlat
      ? {
          product: productId,
          currency,
          unit_amount_decimal: input.flatFeeMinor.toString(),
          recurring: { interval, usage_type: 'licensed' },
        }
      : null,
    existing.flatPriceId,
  );
  const usagePriceId = await place(
    'usage',
    input.usage && meterId ? usagePriceParams(productId, currency, interval, meterId, input.usage) : null,
    existing.usagePriceId,
  );

  return {
    productId,
    meterId,
    meterEventName: input.usage?.meterEventName ?? null,
    flatPriceId,
    usagePriceId,
    pricingHash: planPricingHash(input),
    archivedPriceIds: archived,
  };
}

function usagePriceParams(
  product: string,
  currency: string,
  interval: 'month' | 'year',
  meter: string,
  usage: PlanUsagePricing,
): Omit<Stripe.PriceCreateParams, 'metadata'> {
  const recurring = { interval, usage_type: 'metered' as const, meter };
  if (usage.unitAmountDecimal !== undefined) {
    return {
      product,
      currency,
      billing_scheme: 'per_unit',
      unit_amount_decimal: normalizeDecimal(usage.unitAmountDecimal),
      recurring,
    };
  }
  return {
    product,
    currency,
    billing_scheme: 'tiered',
    tiers_mode: usage.tiersMode ?? 'graduated',
    tiers: (usage.tiers ?? []).map((tier) => ({
      up_to: tier.upTo === 'inf' ? ('inf' as const) : Number(tier.upTo),
      ...(tier.unitAmountDecimal !== undefined
        ? { unit_amount_decimal: normalizeDecimal(tier.unitAmountDecimal) }
        : {}),
      ...(tier.flatAmountMinor !== undefined ? { flat_amount_decimal: tier.flatAmountMinor.toString() } : {}),
    })),
    recurring,
  };
}

async function ensureProduct(
  stripe: Stripe,
  existingId: string | null | undefined,
  name: string,
  metadata: Record<string, string>,
  scope: string[],
): Promise<string> {
  if (existingId) {
    const product = await retrieveOrNull(() => stripe.products.retrieve(existingId));
    if (product && !(product as { deleted?: boolean }).deleted) {
      if (product.name !== name || !product.active) {
        await stripe.products.update(product.id, { name, active: true });
      }
      return product.id;
    }
  }
  const params: Stripe.ProductCreateParams = { name, metadata };
  const created = await stripe.products.create(params, {
    idempotencyKey: stripeIdempotencyKey(scope, params),
  });
  return created.id;
}

function meterFits(meter: Stripe.Billing.Meter): boolean {
  return (
    meter.default_aggregation.formula === 'sum' &&
    meter.customer_mapping.event_payload_key === METER_CUSTOMER_PAYLOAD_KEY &&
    meter.value_settings.event_payload_key === METER_VALUE_PAYLOAD_KEY
  );
}

async function activeMeter(stripe: Stripe, meter: Stripe.Billing.Meter): Promise<string> {
  if (meter.status !== 'active') await stripe.billing.meters.reactivate(meter.id);
  return meter.id;
}

async function ensureMeter(
  stripe: Stripe,
  existingId: string | null | undefined,
  eventName: string,
  scope: string[],
): Promise<string> {
  if (existingId) {
    const meter = await retrieveOrNull(() => stripe.billing.meters.retrieve(existingId));
    if (meter && meter.event_name === eventName && meterFits(meter)) return activeMeter(stripe, meter);
  }
  const params: Stripe.Billing.MeterCreateParams = {
    display_name: `Portcullis ${eventName}`,
    event_name: eventName,
    default_aggregation: { formula: 'sum' },
    customer_mapping: { type: 'by_id', event_payload_key: METER_CUSTOMER_PAYLOAD_KEY },
    value_settings: { event_payload_key: METER_VALUE_PAYLOAD_KEY },
  };
  try {
    const created = await stripe.billing.meters.create(params, {
      idempotencyKey: stripeIdempotencyKey(scope, params),
    });
    return created.id;
  } catch (error) {
    // An event name belongs to one meter per account: after a lost id (older than Stripe's 24 h of
    // idempotency) the meter already exists, and adopting it keeps past usage on the same meter.
    if (asStripeError(error)?.param !== 'event_name') throw error;
    const match = await findMeterByEventName(stripe, eventName);
    if (!match) throw error;
    if (!meterFits(match)) {
      throw new PlanCatalogInputError(
        `Stripe meter ${match.id} already uses event name ${eventName} but does not sum "${METER_VALUE_PAYLOAD_KEY}" by "${METER_CUSTOMER_PAYLOAD_KEY}"`,
      );
    }
    return activeMeter(stripe, match);
  }
}

async function findMeterByEventName(stripe: Stripe, eventName: string): Promise<Stripe.Billing.Meter | null> {
  let inactive: Stripe.Billing.Meter | null = null;
  for await (const meter of stripe.billing.meters.list({ limit: 100 })) {
    if (meter.event_name !== eventName) continue;
    if (meter.status === 'active') return meter;
    inactive ??= meter;
  }
  return inactive;
}

async function ensurePrice(
  stripe: Stripe,
  existingId: string | null | undefined,
  wanted: Omit<Stripe.PriceCreateParams, 'metadata'>,
  metadata: Record<string, string>,
  scope: string[],
): Promise<{ id: string; replacedId: string | null }> {
  const hash = contentHash(wanted);
  let replacedId: string | null = null;
  if (existingId) {
    const price = await retrieveOrNull(() => stripe.prices.retrieve(existingId));
    if (price?.active && price.metadata.portcullis_content_hash === hash)
      return { id: price.id, replacedId: null };
    if (price) replacedId = price.id;
  }
  const params: Stripe.PriceCreateParams = {
    ...wanted,
    metadata: { ...metadata, portcullis_content_hash: hash },
  };
  const created = await stripe.prices.create(params, { idempotencyKey: stripeIdempotencyKey(scope, params) });
  // A replayed key can hand back a price archived since; it is the right price, so it comes back.
  if (!created.active) await stripe.prices.update(created.id, { active: true });
  return { id: created.id, replacedId: replacedId === created.id ? null : replacedId };
}

/** Returns whether the price was active (and is archived now). */
async function archivePrice(stripe: Stripe, priceId: string): Promise<boolean> {
  const price = await retrieveOrNull(() => stripe.prices.retrieve(priceId));
  if (!price?.active) return false;
  await stripe.prices.update(priceId, { active: false });
  return true;
}
