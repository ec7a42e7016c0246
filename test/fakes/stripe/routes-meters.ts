import {
  allowOnly,
  badRequest,
  FakeStripeError,
  hash,
  int,
  invalidParam,
  listOf,
  missingParam,
  owned,
  type Route,
  type RouteContext,
  retrieve,
  str,
} from './protocol.ts';
import { randomId, type StripeObject } from './state.ts';

/** Billing meters and meter events. */
const METER_EVENT_MAX_AGE_SECONDS = 35 * 86_400;
const METER_EVENT_MAX_FUTURE_SECONDS = 300;

function createMeter(ctx: RouteContext) {
  const p = ctx.params;
  allowOnly(p, [
    'default_aggregation',
    'display_name',
    'event_name',
    'customer_mapping',
    'event_time_window',
    'value_settings',
  ]);
  const aggregation = hash(p, 'default_aggregation');
  if (!aggregation) throw missingParam('default_aggregation');
  allowOnly(aggregation, ['formula'], 'default_aggregation');
  const formula = str(aggregation, 'formula');
  if (!formula) throw missingParam('default_aggregation[formula]');
  if (!['sum', 'count', 'last'].includes(formula)) {
    throw invalidParam('default_aggregation[formula]', `Invalid default_aggregation[formula]: ${formula}`);
  }
  const displayName = str(p, 'display_name', true);
  const eventName = str(p, 'event_name', true);
  if (eventName.length > 100) throw invalidParam('event_name', 'event_name must be at most 100 characters.');
  const mapping = hash(p, 'customer_mapping') ?? { event_payload_key: 'stripe_customer_id', type: 'by_id' };
  allowOnly(mapping, ['event_payload_key', 'type'], 'customer_mapping');
  if (str(mapping, 'type') !== 'by_id')
    throw invalidParam('customer_mapping[type]', 'customer_mapping[type] must be by_id');
  const valueSettings = hash(p, 'value_settings') ?? { event_payload_key: 'value' };
  allowOnly(valueSettings, ['event_payload_key'], 'value_settings');
  const taken = [...ctx.state.meters.values()].some(
    (m) => ctx.state.ownerOf.get(m.id) === ctx.account && m.event_name === eventName && m.status === 'active',
  );
  if (taken) throw badRequest(`A meter with event_name '${eventName}' already exists.`, 'event_name');
  const meter: StripeObject = {
    id: randomId('mtr_', 24),
    object: 'billing.meter',
    created: ctx.nowSeconds,
    customer_mapping: { event_payload_key: str(mapping, 'event_payload_key', true), type: 'by_id' },
    default_aggregation: { formula },
    display_name: displayName,
    event_name: eventName,
    event_time_window: str(p, 'event_time_window') ?? null,
    livemode: ctx.livemode,
    status: 'active',
    status_transitions: { deactivated_at: null },
    updated: ctx.nowSeconds,
    value_settings: { event_payload_key: str(valueSettings, 'event_payload_key', true) },
  };
  return ctx.state.store(ctx.state.meters, meter, ctx.account);
}

function setMeterStatus(status: 'active' | 'inactive') {
  return (ctx: RouteContext) => {
    allowOnly(ctx.params, []);
    const meter = owned(ctx, ctx.state.meters, 'billing.meter', ctx.pathParams[0]!);
    meter.status = status;
    meter.status_transitions = { deactivated_at: status === 'inactive' ? ctx.nowSeconds : null };
    meter.updated = ctx.nowSeconds;
    return meter;
  };
}

function listMeters(ctx: RouteContext) {
  allowOnly(ctx.params, ['status', 'limit', 'starting_after', 'ending_before']);
  const status = str(ctx.params, 'status');
  const mine = [...ctx.state.meters.values()].filter(
    (m) => ctx.state.ownerOf.get(m.id) === ctx.account && (!status || m.status === status),
  );
  return listOf('/v1/billing/meters', mine, ctx.params);
}

function createMeterEvent(ctx: RouteContext) {
  const { state, params: p } = ctx;
  allowOnly(p, ['event_name', 'payload', 'identifier', 'timestamp']);
  const eventName = str(p, 'event_name', true);
  const payloadHash = hash(p, 'payload');
  if (!payloadHash) throw missingParam('payload');
  const payload: Record<string, string> = {};
  for (const [key, value] of Object.entries(payloadHash)) {
    if (typeof value !== 'string') throw invalidParam(`payload[${key}]`, 'Payload values must be strings.');
    payload[key] = value;
  }
  const identifier = str(p, 'identifier') ?? randomId('', 32);
  if (identifier.length > 100) throw invalidParam('identifier', 'identifier must be at most 100 characters.');
  const timestamp = int(p, 'timestamp') ?? ctx.nowSeconds;
  if (timestamp < ctx.nowSeconds - METER_EVENT_MAX_AGE_SECONDS) {
    throw invalidParam('timestamp', 'Timestamp must be within the past 35 calendar days.');
  }
  if (timestamp > ctx.nowSeconds + METER_EVENT_MAX_FUTURE_SECONDS) {
    throw invalidParam('timestamp', 'Timestamp must be no more than 5 minutes in the future.');
  }
  const seen =
    state.meterEvents.some((e) => e.account === ctx.account && e.identifier === identifier) ||
    state.droppedMeterEvents.some((e) => e.account === ctx.account && e.identifier === identifier);
  if (seen) {
    state.duplicateMeterEventAttempts += 1;
    // Stripe's v1 answer to a reused identifier: a plain invalid_request_error without a code.
    throw new FakeStripeError(
      400,
      { type: 'invalid_request_error', message: `An event already exists with identifier ${identifier}.` },
      false,
      { 'Stripe-Should-Retry': 'false' },
    );
  }
  recordMeterEvent(ctx, { eventName, payload, identifier, timestamp });
  return {
    object: 'billing.meter_event',
    created: ctx.nowSeconds,
    event_name: eventName,
    identifier,
    livemode: ctx.livemode,
    payload,
    timestamp,
  };
}

/** Stripe validates mapping, customer and value while aggregating, so these become drops, not 4xx. */
function recordMeterEvent(
  ctx: RouteContext,
  event: { eventName: string; payload: Record<string, string>; identifier: string; timestamp: number },
) {
  const { state, account } = ctx;
  const drop = (reason: 'no_meter' | 'customer_not_found' | 'no_customer_defined' | 'invalid_value') =>
    state.droppedMeterEvents.push({
      account,
      identifier: event.identifier,
      eventName: event.eventName,
      reason,
    });
  const meter = [...state.meters.values()].find(
    (m) => state.ownerOf.get(m.id) === account && m.event_name === event.eventName && m.status === 'active',
  );
  if (!meter) return drop('no_meter');
  const customerKey = (meter.customer_mapping as { event_payload_key: string }).event_payload_key;
  const valueKey = (meter.value_settings as { event_payload_key: string }).event_payload_key;
  const customerId = event.payload[customerKey];
  if (!customerId) return drop('no_customer_defined');
  if (!state.find(state.customers, customerId, account)) return drop('customer_not_found');
  // Approximation: real Stripe also aggregates decimal and negative values; the fake sums integers only.
  const value = event.payload[valueKey];
  if (value === undefined || !/^\d+$/.test(value)) return drop('invalid_value');
  state.meterEvents.push({
    account,
    identifier: event.identifier,
    eventName: event.eventName,
    customerId,
    value,
    timestamp: event.timestamp,
    created: ctx.nowSeconds,
  });
}

export const meterRoutes: Route[] = [
  { method: 'POST', pattern: /^\/v1\/billing\/meters$/, handle: createMeter },
  { method: 'GET', pattern: /^\/v1\/billing\/meters$/, handle: listMeters },
  {
    method: 'GET',
    pattern: /^\/v1\/billing\/meters\/([^/]+)$/,
    handle: retrieve((s) => s.meters, 'billing.meter'),
  },
  {
    method: 'POST',
    pattern: /^\/v1\/billing\/meters\/([^/]+)\/deactivate$/,
    handle: setMeterStatus('inactive'),
  },
  {
    method: 'POST',
    pattern: /^\/v1\/billing\/meters\/([^/]+)\/reactivate$/,
    handle: setMeterStatus('active'),
  },
  { method: 'POST', pattern: /^\/v1\/billing\/meter_events$/, handle: createMeterEvent },
];
