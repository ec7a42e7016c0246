import type { FormObject } from './form.ts';
import {
  allowOnly,
  array,
  asHash,
  badRequest,
  bool,
  hash,
  int,
  invalidParam,
  liveCustomer,
  mergeMetadata,
  missingParam,
  noSuch,
  type Route,
  type RouteContext,
  retrieve,
  str,
} from './protocol.ts';
import { randomId, type StripeObject } from './state.ts';

/** Customers and subscriptions. */
function email(params: FormObject): string | null | undefined {
  const value = str(params, 'email');
  if (value === undefined || value === '') return value === '' ? null : undefined;
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value)) {
    throw invalidParam('email', `Invalid email address: ${value}`, 'email_invalid');
  }
  return value;
}

function applyInvoiceSettings(ctx: RouteContext, customer: StripeObject, given: FormObject | undefined) {
  if (!given) return;
  allowOnly(given, ['default_payment_method', 'footer', 'custom_fields'], 'invoice_settings');
  const settings = customer.invoice_settings as Record<string, unknown>;
  const paymentMethodId = str(given, 'default_payment_method');
  if (paymentMethodId !== undefined) {
    if (paymentMethodId !== '' && ctx.state.paymentMethods.get(paymentMethodId) !== customer.id) {
      throw invalidParam(
        'invoice_settings[default_payment_method]',
        `The customer does not have a payment method with the ID ${paymentMethodId}. The payment method must be attached to the customer.`,
      );
    }
    settings.default_payment_method = paymentMethodId || null;
  }
}

const CUSTOMER_FIELDS = [
  'name',
  'email',
  'metadata',
  'description',
  'phone',
  'invoice_settings',
  'preferred_locales',
];

function createCustomer(ctx: RouteContext) {
  const p = ctx.params;
  allowOnly(p, CUSTOMER_FIELDS);
  const customer: StripeObject = {
    id: randomId('cus_'),
    object: 'customer',
    address: null,
    balance: 0,
    created: ctx.nowSeconds,
    currency: null,
    default_source: null,
    delinquent: false,
    description: str(p, 'description') ?? null,
    discount: null,
    email: email(p) ?? null,
    invoice_prefix: randomId('', 8).toUpperCase(),
    invoice_settings: {
      custom_fields: null,
      default_payment_method: null,
      footer: null,
      rendering_options: null,
    },
    livemode: ctx.livemode,
    metadata: mergeMetadata({}, p.metadata),
    name: str(p, 'name') ?? null,
    phone: str(p, 'phone') ?? null,
    preferred_locales: [],
    shipping: null,
    tax_exempt: 'none',
    test_clock: null,
  };
  applyInvoiceSettings(ctx, customer, hash(p, 'invoice_settings'));
  return ctx.state.store(ctx.state.customers, customer, ctx.account);
}

function updateCustomer(ctx: RouteContext) {
  const customer = liveCustomer(ctx, ctx.pathParams[0]!, 'id');
  const p = ctx.params;
  allowOnly(p, CUSTOMER_FIELDS);
  if (p.name !== undefined) customer.name = str(p, 'name') || null;
  if (p.email !== undefined) customer.email = email(p) ?? null;
  if (p.description !== undefined) customer.description = str(p, 'description') || null;
  customer.metadata = mergeMetadata(customer.metadata as Record<string, string>, p.metadata);
  applyInvoiceSettings(ctx, customer, hash(p, 'invoice_settings'));
  return customer;
}

function deleteCustomer(ctx: RouteContext) {
  const customer = liveCustomer(ctx, ctx.pathParams[0]!, 'id');
  const deleted: StripeObject = { id: customer.id, object: 'customer', deleted: true };
  ctx.state.customers.set(customer.id, deleted);
  return deleted;
}

function addInterval(seconds: number, interval: string, count: number): number {
  const date = new Date(seconds * 1000);
  if (interval === 'day') date.setUTCDate(date.getUTCDate() + count);
  else if (interval === 'week') date.setUTCDate(date.getUTCDate() + 7 * count);
  else if (interval === 'month') date.setUTCMonth(date.getUTCMonth() + count);
  else date.setUTCFullYear(date.getUTCFullYear() + count);
  return Math.floor(date.getTime() / 1000);
}

function subscriptionItem(
  ctx: RouteContext,
  raw: FormObject,
  param: string,
  subscriptionId: string,
  start: number,
) {
  allowOnly(raw, ['price', 'quantity', 'metadata'], param);
  const priceId = str(raw, 'price');
  if (!priceId) throw missingParam(`${param}[price]`);
  const price = ctx.state.find(ctx.state.prices, priceId, ctx.account);
  if (!price) throw noSuch('price', priceId, `${param}[price]`);
  if (!price.active) {
    throw invalidParam(
      `${param}[price]`,
      'The price specified is inactive. This field only accepts active prices.',
    );
  }
  const recurring = price.recurring as {
    interval: string;
    interval_count: number;
    usage_type: string;
  } | null;
  if (!recurring) {
    throw invalidParam(
      `${param}[price]`,
      'The price specified is set to `type=one_time` but this field only accepts prices with `type=recurring`.',
    );
  }
  const quantity = int(raw, 'quantity');
  if (recurring.usage_type === 'metered' && quantity !== undefined) {
    throw invalidParam(
      `${param}[quantity]`,
      'Quantity should not be specified where usage_type is `metered`.',
    );
  }
  return {
    id: randomId('si_'),
    object: 'subscription_item',
    created: ctx.nowSeconds,
    current_period_end: addInterval(start, recurring.interval, recurring.interval_count),
    current_period_start: start,
    metadata: mergeMetadata({}, raw.metadata),
    price,
    ...(recurring.usage_type === 'metered' ? {} : { quantity: quantity ?? 1 }),
    subscription: subscriptionId,
  } satisfies StripeObject;
}

function checkItemsAgree(items: StripeObject[]) {
  if (items.length === 0) throw missingParam('items');
  const prices = items.map((item) => item.price as StripeObject);
  const ids = prices.map((price) => price.id);
  const repeated = ids.find((id, index) => ids.indexOf(id) !== index);
  if (repeated)
    throw invalidParam('items', `Cannot add multiple subscription items with the same price: ${repeated}.`);
  const shape = (price: StripeObject) => {
    const r = price.recurring as { interval: string; interval_count: number };
    return `${price.currency}/${r.interval}/${r.interval_count}`;
  };
  if (prices.some((price) => shape(price) !== shape(prices[0]!))) {
    throw invalidParam(
      'items',
      'Currency and interval fields must match across all plans on this subscription.',
    );
  }
}

/** Real Stripe charges the first invoice at once; without a payment method a non-zero invoice leaves it incomplete. */
function initialStatus(customer: StripeObject, items: StripeObject[], trialDays: number): string {
  if (trialDays > 0) return 'trialing';
  const owesNow = items.some((item) => {
    const price = item.price as StripeObject;
    const usage = (price.recurring as { usage_type: string }).usage_type;
    return usage === 'licensed' && Number(price.unit_amount_decimal ?? '0') > 0;
  });
  const hasPaymentMethod = Boolean(
    (customer.invoice_settings as Record<string, unknown>).default_payment_method,
  );
  return owesNow && !hasPaymentMethod ? 'incomplete' : 'active';
}

const SUBSCRIPTION_CREATE_FIELDS = [
  'customer',
  'items',
  'trial_period_days',
  'metadata',
  'payment_behavior',
  'proration_behavior',
  'collection_method',
  'days_until_due',
  'default_payment_method',
  'cancel_at_period_end',
  'description',
  'off_session',
];

function createSubscription(ctx: RouteContext) {
  const p = ctx.params;
  allowOnly(p, SUBSCRIPTION_CREATE_FIELDS);
  const customerId = str(p, 'customer', true);
  const customer = liveCustomer(ctx, customerId);
  const rawItems = array(p, 'items');
  if (!rawItems || rawItems.length === 0) throw missingParam('items');
  const id = randomId('sub_', 24);
  const start = ctx.nowSeconds;
  const items = rawItems.map((raw, i) =>
    subscriptionItem(ctx, asHash(raw, `items[${i}]`), `items[${i}]`, id, start),
  );
  checkItemsAgree(items);
  const trialDays = int(p, 'trial_period_days') ?? 0;
  if (trialDays < 0 || trialDays > 730) {
    throw invalidParam('trial_period_days', 'trial_period_days must be between 0 and 730.');
  }
  const trialEnd = trialDays > 0 ? start + trialDays * 86_400 : null;
  const subscription: StripeObject = {
    id,
    object: 'subscription',
    billing_cycle_anchor: trialEnd ?? start,
    cancel_at: null,
    cancel_at_period_end: bool(p, 'cancel_at_period_end') ?? false,
    canceled_at: null,
    collection_method: str(p, 'collection_method') ?? 'charge_automatically',
    created: start,
    currency: (items[0]!.price as StripeObject).currency,
    customer: customerId,
    default_payment_method: str(p, 'default_payment_method') ?? null,
    description: str(p, 'description') ?? null,
    items: {
      object: 'list',
      data: items,
      has_more: false,
      total_count: items.length,
      url: `/v1/subscription_items?subscription=${id}`,
    },
    latest_invoice: null,
    livemode: ctx.livemode,
    metadata: mergeMetadata({}, p.metadata),
    start_date: start,
    status: initialStatus(customer, items, trialDays),
    trial_end: trialEnd,
    trial_start: trialEnd ? start : null,
  };
  return ctx.state.store(ctx.state.subscriptions, subscription, ctx.account);
}

function updateSubscription(ctx: RouteContext) {
  const subscription = ctx.state.find(ctx.state.subscriptions, ctx.pathParams[0]!, ctx.account);
  if (!subscription) throw noSuch('subscription', ctx.pathParams[0]!);
  const p = ctx.params;
  allowOnly(p, [
    'items',
    'metadata',
    'cancel_at_period_end',
    'proration_behavior',
    'payment_behavior',
    'default_payment_method',
    'description',
  ]);
  const onlyMetadata = Object.keys(p).every((key) => key === 'metadata' || key === 'expand');
  if (subscription.status === 'canceled' && !onlyMetadata) {
    throw badRequest('A canceled subscription can only update its cancellation_details and metadata.');
  }
  const list = subscription.items as { data: StripeObject[]; total_count: number };
  const rawItems = array(p, 'items');
  if (rawItems) {
    let items = [...list.data];
    rawItems.forEach((raw, i) => {
      const param = `items[${i}]`;
      const item = asHash(raw, param);
      const itemId = str(item, 'id');
      if (itemId === undefined) {
        items.push(subscriptionItem(ctx, item, param, subscription.id, subscription.start_date as number));
        return;
      }
      const current = items.find((existing) => existing.id === itemId);
      if (!current) throw noSuch('subscription item', itemId, `${param}[id]`);
      allowOnly(item, ['id', 'deleted', 'clear_usage', 'quantity', 'metadata'], param);
      if (bool(item, 'deleted')) items = items.filter((existing) => existing.id !== itemId);
      else if (item.quantity !== undefined) current.quantity = int(item, 'quantity');
    });
    checkItemsAgree(items);
    list.data = items;
    list.total_count = items.length;
  }
  if (p.cancel_at_period_end !== undefined)
    subscription.cancel_at_period_end = bool(p, 'cancel_at_period_end');
  if (p.default_payment_method !== undefined)
    subscription.default_payment_method = str(p, 'default_payment_method') || null;
  subscription.metadata = mergeMetadata(subscription.metadata as Record<string, string>, p.metadata);
  return subscription;
}

export const customerRoutes: Route[] = [
  { method: 'POST', pattern: /^\/v1\/customers$/, handle: createCustomer },
  { method: 'GET', pattern: /^\/v1\/customers\/([^/]+)$/, handle: retrieve((s) => s.customers, 'customer') },
  { method: 'POST', pattern: /^\/v1\/customers\/([^/]+)$/, handle: updateCustomer },
  { method: 'DELETE', pattern: /^\/v1\/customers\/([^/]+)$/, handle: deleteCustomer },
  { method: 'POST', pattern: /^\/v1\/subscriptions$/, handle: createSubscription },
  {
    method: 'GET',
    pattern: /^\/v1\/subscriptions\/([^/]+)$/,
    handle: retrieve((s) => s.subscriptions, 'subscription'),
  },
  { method: 'POST', pattern: /^\/v1\/subscriptions\/([^/]+)$/, handle: updateSubscription },
];
