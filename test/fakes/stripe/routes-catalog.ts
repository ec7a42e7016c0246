import type { FormObject } from './form.ts';
import {
  allowOnly,
  array,
  asHash,
  badRequest,
  hash,
  int,
  invalidParam,
  mergeMetadata,
  missingParam,
  owned,
  type Route,
  type RouteContext,
  retrieve,
  str,
} from './protocol.ts';
import { randomId, type StripeObject } from './state.ts';

/** Products and prices. */
const DECIMAL = /^\d+(\.\d{1,12})?$/;

/** Stripe answers decimals without trailing zeros ("0.500" → "0.5"). */
function normalizeDecimal(value: string): string {
  return value.includes('.') ? value.replace(/0+$/, '').replace(/\.$/, '') : value.replace(/^0+(?=\d)/, '');
}

function expanded(ctx: RouteContext, field: string): boolean {
  const expand = ctx.params.expand;
  return Array.isArray(expand) && expand.includes(field);
}

function createProduct(ctx: RouteContext) {
  const p = ctx.params;
  allowOnly(p, [
    'id',
    'name',
    'active',
    'description',
    'metadata',
    'statement_descriptor',
    'unit_label',
    'tax_code',
  ]);
  const name = str(p, 'name', true);
  const id = str(p, 'id') ?? randomId('prod_');
  if (ctx.state.products.has(id)) {
    throw badRequest(`Product already exists.`, 'id', 'resource_already_exists');
  }
  const product: StripeObject = {
    id,
    object: 'product',
    active: str(p, 'active') !== 'false',
    created: ctx.nowSeconds,
    default_price: null,
    description: str(p, 'description') ?? null,
    images: [],
    livemode: ctx.livemode,
    marketing_features: [],
    metadata: mergeMetadata({}, p.metadata),
    name,
    package_dimensions: null,
    shippable: null,
    statement_descriptor: str(p, 'statement_descriptor') ?? null,
    tax_code: str(p, 'tax_code') ?? null,
    type: 'service',
    unit_label: str(p, 'unit_label') ?? null,
    updated: ctx.nowSeconds,
    url: null,
  };
  return ctx.state.store(ctx.state.products, product, ctx.account);
}

function updateProduct(ctx: RouteContext) {
  const product = owned(ctx, ctx.state.products, 'product', ctx.pathParams[0]!);
  const p = ctx.params;
  allowOnly(p, [
    'name',
    'active',
    'description',
    'metadata',
    'statement_descriptor',
    'unit_label',
    'tax_code',
  ]);
  if (p.name !== undefined) product.name = str(p, 'name', true);
  if (p.active !== undefined) product.active = str(p, 'active') === 'true';
  if (p.description !== undefined) product.description = str(p, 'description') || null;
  product.metadata = mergeMetadata(product.metadata as Record<string, string>, p.metadata);
  product.updated = ctx.nowSeconds;
  return product;
}

function parseTiers(ctx: RouteContext) {
  const tiers = array(ctx.params, 'tiers');
  if (!tiers || tiers.length === 0) throw missingParam('tiers');
  let previous = 0;
  return tiers.map((raw, index) => {
    const param = `tiers[${index}]`;
    const tier = asHash(raw, param);
    allowOnly(
      tier,
      ['up_to', 'unit_amount', 'unit_amount_decimal', 'flat_amount', 'flat_amount_decimal'],
      param,
    );
    const upToRaw = str(tier, 'up_to');
    if (upToRaw === undefined) throw missingParam(`${param}[up_to]`);
    const last = index === tiers.length - 1;
    if ((upToRaw === 'inf') !== last) {
      throw invalidParam(
        `${param}[up_to]`,
        'The last tier, and only the last tier, must have `up_to` set to `inf`.',
      );
    }
    let upTo: number | null = null;
    if (upToRaw !== 'inf') {
      upTo = int(tier, 'up_to')!;
      if (upTo <= previous)
        throw invalidParam(`${param}[up_to]`, 'Tiers must be in ascending order of `up_to`.');
      previous = upTo;
    }
    const unit = amountPair(tier, 'unit_amount', param);
    const flat = amountPair(tier, 'flat_amount', param);
    return {
      flat_amount: flat.integer,
      flat_amount_decimal: flat.decimal,
      unit_amount: unit.integer,
      unit_amount_decimal: unit.decimal,
      up_to: upTo,
    };
  });
}

/** `x` and `x_decimal` are alternatives: Stripe refuses both, and answers both fields. */
function amountPair(params: FormObject, field: string, prefix = '') {
  const name = (f: string) => (prefix ? `${prefix}[${f}]` : f);
  const integer = params[field] === undefined ? undefined : int(params, field);
  const decimal = str(params, `${field}_decimal`);
  if (integer !== undefined && decimal !== undefined) {
    throw invalidParam(
      name(field),
      `You may only specify one of these parameters: ${field}, ${field}_decimal.`,
    );
  }
  if (integer !== undefined && integer < 0)
    throw invalidParam(name(field), 'This value must be greater than or equal to 0.');
  if (decimal !== undefined && !DECIMAL.test(decimal)) {
    throw invalidParam(name(`${field}_decimal`), `Invalid decimal: ${decimal}`, 'parameter_invalid_decimal');
  }
  if (integer !== undefined) return { integer, decimal: String(integer), given: true };
  if (decimal === undefined) return { integer: null, decimal: null, given: false };
  const normalized = normalizeDecimal(decimal);
  const whole = /^\d+$/.test(normalized) && Number.isSafeInteger(Number(normalized));
  return { integer: whole ? Number(normalized) : null, decimal: normalized, given: true };
}

function createPrice(ctx: RouteContext) {
  const p = ctx.params;
  allowOnly(p, [
    'currency',
    'product',
    'unit_amount',
    'unit_amount_decimal',
    'recurring',
    'billing_scheme',
    'tiers',
    'tiers_mode',
    'metadata',
    'nickname',
    'lookup_key',
    'active',
    'tax_behavior',
  ]);
  const currency = str(p, 'currency', true);
  if (!/^[a-z]{3}$/.test(currency)) throw invalidParam('currency', `Invalid currency: ${currency}`);
  const productId = str(p, 'product');
  if (productId === undefined) throw missingParam('product');
  owned(ctx, ctx.state.products, 'product', productId, 'product');
  const billingScheme = str(p, 'billing_scheme') ?? 'per_unit';
  if (billingScheme !== 'per_unit' && billingScheme !== 'tiered') {
    throw invalidParam('billing_scheme', `Invalid billing_scheme: ${billingScheme}`);
  }
  const recurring = parseRecurring(ctx);
  let unit = { integer: null as number | null, decimal: null as string | null, given: false };
  let tiers: ReturnType<typeof parseTiers> | undefined;
  let tiersMode: string | null = null;
  if (billingScheme === 'per_unit') {
    unit = amountPair(p, 'unit_amount');
    if (!unit.given) throw missingParam('unit_amount');
    if (p.tiers !== undefined)
      throw invalidParam('tiers', 'Tiers can only be set when `billing_scheme=tiered`.');
  } else {
    if (p.unit_amount !== undefined || p.unit_amount_decimal !== undefined) {
      throw invalidParam('unit_amount', 'A price with `billing_scheme=tiered` cannot have a `unit_amount`.');
    }
    if (!recurring) throw missingParam('recurring');
    tiersMode = str(p, 'tiers_mode') ?? null;
    if (tiersMode !== 'graduated' && tiersMode !== 'volume') throw missingParam('tiers_mode');
    tiers = parseTiers(ctx);
  }
  const price: StripeObject = {
    id: randomId('price_', 24),
    object: 'price',
    active: str(p, 'active') !== 'false',
    billing_scheme: billingScheme,
    created: ctx.nowSeconds,
    currency,
    custom_unit_amount: null,
    livemode: ctx.livemode,
    lookup_key: str(p, 'lookup_key') ?? null,
    metadata: mergeMetadata({}, p.metadata),
    nickname: str(p, 'nickname') ?? null,
    product: productId,
    recurring,
    tax_behavior: str(p, 'tax_behavior') ?? 'unspecified',
    tiers_mode: tiersMode,
    transform_quantity: null,
    type: recurring ? 'recurring' : 'one_time',
    unit_amount: unit.integer,
    unit_amount_decimal: unit.decimal,
  };
  ctx.state.store(ctx.state.prices, price, ctx.account);
  if (tiers) Object.defineProperty(price, 'tiersStored', { value: tiers, enumerable: false });
  return renderPrice(ctx, price);
}

function parseRecurring(ctx: RouteContext) {
  const recurring = hash(ctx.params, 'recurring');
  if (!recurring) return null;
  allowOnly(
    recurring,
    ['interval', 'interval_count', 'usage_type', 'meter', 'trial_period_days'],
    'recurring',
  );
  const interval = str(recurring, 'interval');
  if (interval === undefined) throw missingParam('recurring[interval]');
  if (!['day', 'week', 'month', 'year'].includes(interval)) {
    throw invalidParam(
      'recurring[interval]',
      `Invalid recurring[interval]: must be one of day, week, month, or year`,
    );
  }
  const usageType = str(recurring, 'usage_type') ?? 'licensed';
  if (usageType !== 'licensed' && usageType !== 'metered') {
    throw invalidParam('recurring[usage_type]', `Invalid recurring[usage_type]: ${usageType}`);
  }
  const meterId = str(recurring, 'meter') ?? null;
  if (usageType === 'metered' && !meterId) {
    throw invalidParam('recurring[meter]', 'Prices with `usage_type=metered` must be backed by a meter.');
  }
  if (meterId) {
    const meter = owned(ctx, ctx.state.meters, 'billing.meter', meterId, 'recurring[meter]');
    if (meter.status !== 'active')
      throw invalidParam('recurring[meter]', `The meter ${meterId} is not active.`);
  }
  return {
    interval,
    interval_count: int(recurring, 'interval_count') ?? 1,
    meter: meterId,
    trial_period_days: int(recurring, 'trial_period_days') ?? null,
    usage_type: usageType,
  };
}

/** `tiers` is an includable field: Stripe answers it only when asked with expand[]=tiers. */
function renderPrice(ctx: RouteContext, price: StripeObject): StripeObject {
  const tiers = (price as { tiersStored?: unknown }).tiersStored;
  return tiers && expanded(ctx, 'tiers') ? { ...price, tiers } : price;
}

function updatePrice(ctx: RouteContext) {
  const price = owned(ctx, ctx.state.prices, 'price', ctx.pathParams[0]!);
  const p = ctx.params;
  allowOnly(p, ['active', 'metadata', 'nickname', 'lookup_key', 'tax_behavior']);
  if (p.active !== undefined) price.active = str(p, 'active') === 'true';
  if (p.nickname !== undefined) price.nickname = str(p, 'nickname') || null;
  if (p.lookup_key !== undefined) price.lookup_key = str(p, 'lookup_key') || null;
  price.metadata = mergeMetadata(price.metadata as Record<string, string>, p.metadata);
  return renderPrice(ctx, price);
}

export const catalogRoutes: Route[] = [
  { method: 'POST', pattern: /^\/v1\/products$/, handle: createProduct },
  { method: 'GET', pattern: /^\/v1\/products\/([^/]+)$/, handle: retrieve((s) => s.products, 'product') },
  { method: 'POST', pattern: /^\/v1\/products\/([^/]+)$/, handle: updateProduct },
  { method: 'POST', pattern: /^\/v1\/prices$/, handle: createPrice },
  {
    method: 'GET',
    pattern: /^\/v1\/prices\/([^/]+)$/,
    handle: (ctx) => renderPrice(ctx, owned(ctx, ctx.state.prices, 'price', ctx.pathParams[0]!)),
  },
  { method: 'POST', pattern: /^\/v1\/prices\/([^/]+)$/, handle: updatePrice },
];
