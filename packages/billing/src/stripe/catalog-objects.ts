import type Stripe from 'stripe';
import { asStripeError, isResourceMissing } from './errors.ts';
import { contentHash, stripeIdempotencyKey } from './idempotency.ts';

/** The Stripe objects a plan's catalog is made of (catalog.ts, tool-catalog.ts), each made idempotently. */

/** Payload keys of every Portcullis meter event (see meter-events.ts). */
export const METER_CUSTOMER_PAYLOAD_KEY = 'stripe_customer_id';
export const METER_VALUE_PAYLOAD_KEY = 'value';

export class PlanCatalogInputError extends Error {
  override readonly name = 'PlanCatalogInputError';
}

export const DECIMAL = /^\d+(\.\d{1,12})?$/;
export const EVENT_NAME = /^[A-Za-z0-9_.:-]{1,100}$/;

export function normalizeDecimal(value: string): string {
  const trimmed = value.includes('.') ? value.replace(/0+$/, '').replace(/\.$/, '') : value;
  return trimmed.replace(/^0+(?=\d)/, '');
}

export async function retrieveOrNull<T>(load: () => Promise<T>): Promise<T | null> {
  try {
    return await load();
  } catch (error) {
    if (isResourceMissing(error)) return null;
    throw error;
  }
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

export async function ensureMeter(
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

export async function ensurePrice(
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
export async function archivePrice(stripe: Stripe, priceId: string): Promise<boolean> {
  const price = await retrieveOrNull(() => stripe.prices.retrieve(priceId));
  if (!price?.active) return false;
  await stripe.prices.update(priceId, { active: false });
  return true;
}
