import type Stripe from 'stripe';
import {
  archivePrice,
  DECIMAL,
  EVENT_NAME,
  ensureMeter,
  ensurePrice,
  normalizeDecimal,
  PlanCatalogInputError,
  retrieveOrNull,
} from './catalog-objects.ts';
import { contentHash, stripeIdempotencyKey } from './idempotency.ts';

export {
  METER_CUSTOMER_PAYLOAD_KEY,
  METER_VALUE_PAYLOAD_KEY,
  PlanCatalogInputError,
} from './catalog-objects.ts';

import {
  ensureToolPrices,
  type StripeToolPrices,
  type ToolPriceInput,
  toolPricesHashPart,
  validateToolPrices,
} from './tool-catalog.ts';

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
  toolPrices?: StripeToolPrices;
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
  /** a metered price (on a meter of its own) per priced MCP tool, billed instead of the request price */
  tools?: readonly ToolPriceInput[];
  /** ids recorded earlier; reused when they still describe this pricing */
  existing?: ExistingPlanCatalog;
}

export interface PlanCatalog {
  productId: string;
  meterId: string | null;
  meterEventName: string | null;
  flatPriceId: string | null;
  usagePriceId: string | null;
  toolPrices: StripeToolPrices;
  /** planPricingHash of the input: store it to skip the calls while pricing is unchanged */
  pricingHash: string;
  /** prices replaced by this call and archived (active=false): subscriptions on them need moving */
  archivedPriceIds: string[];
}

/** Stripe takes "up to 20 subscription items" per subscription, one per price. */
const MAX_SUBSCRIPTION_ITEMS = 20;

/** A subscription needs at least one price: a plan charging nothing per unit gets its fee, even 0. */
function needsFlatPrice(input: EnsurePlanCatalogInput): boolean {
  return input.flatFeeMinor > 0n || (!input.usage && !input.tools?.length);
}

function validate(input: EnsurePlanCatalogInput): void {
  if (!input.tenantOrgId || !input.planId)
    throw new PlanCatalogInputError('tenantOrgId and planId are required');
  if (!input.planName.trim()) throw new PlanCatalogInputError('planName must not be empty');
  if (!/^[a-z]{3}$/i.test(input.currency))
    throw new PlanCatalogInputError(`not an ISO currency: ${input.currency}`);
  if (input.flatFeeMinor < 0n) throw new PlanCatalogInputError('flatFeeMinor must not be negative');
  const items = (needsFlatPrice(input) ? 1 : 0) + (input.usage ? 1 : 0);
  const tools = input.tools?.length ?? 0;
  if (items + tools > MAX_SUBSCRIPTION_ITEMS) {
    throw new PlanCatalogInputError(
      `Stripe allows ${MAX_SUBSCRIPTION_ITEMS} prices per subscription: this plan needs ${items + tools} (${tools} tool prices)`,
    );
  }
  validateToolPrices(input.tools ?? []);
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
    // Absent without tool prices, so plans synced before tool prices existed keep their hash.
    tools: toolPricesHashPart(input.tools),
  });
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

  const wantFlat = needsFlatPrice(input);
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
  const tools = await ensureToolPrices(stripe, {
    productId,
    currency,
    interval,
    tools: input.tools ?? [],
    existing: existing.toolPrices ?? {},
    metadata: baseMetadata,
    scope: (tool, kind) => scope(`tool:${tool}:${kind}`),
  });
  archived.push(...tools.archivedPriceIds);

  return {
    productId,
    meterId,
    meterEventName: input.usage?.meterEventName ?? null,
    flatPriceId,
    usagePriceId,
    toolPrices: tools.toolPrices,
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
