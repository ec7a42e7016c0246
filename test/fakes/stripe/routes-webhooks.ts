import { createHmac } from 'node:crypto';
import {
  allowOnly,
  array,
  mergeMetadata,
  missingParam,
  type Route,
  type RouteContext,
  str,
  url,
} from './protocol.ts';
import { type FakeStripeState, randomId, type StripeObject } from './state.ts';

/** The API version events are rendered in (the one stripe-node 19 pins). */
const EVENT_API_VERSION = '2025-10-29.clover';

/**
 * Webhook endpoints (POST /v1/webhook_endpoints, as in Stripe's API reference): the creation answer is
 * the only one carrying the signing secret. Events of the account are POSTed to every enabled endpoint
 * whose enabled_events list the type (or "*"), signed the way Stripe signs them:
 * `Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the secret>`.
 */
function createWebhookEndpoint(ctx: RouteContext) {
  const p = ctx.params;
  allowOnly(p, ['url', 'enabled_events', 'description', 'metadata', 'api_version', 'connect']);
  const target = url(p, 'url');
  if (target === undefined) throw missingParam('url');
  const events = array(p, 'enabled_events');
  if (!events || events.length === 0) throw missingParam('enabled_events');
  const endpoint: StripeObject = {
    id: randomId('we_', 24),
    object: 'webhook_endpoint',
    api_version: str(p, 'api_version') ?? null,
    application: null,
    created: ctx.nowSeconds,
    description: str(p, 'description') ?? null,
    enabled_events: events.map(String),
    livemode: ctx.livemode,
    metadata: mergeMetadata({}, p.metadata),
    secret: `whsec_${randomId('', 32)}`,
    status: 'enabled',
    url: target,
  };
  return ctx.state.store(ctx.state.webhookEndpoints, endpoint, ctx.account);
}

export const webhookRoutes: Route[] = [
  { method: 'POST', pattern: /^\/v1\/webhook_endpoints$/, handle: createWebhookEndpoint },
];

interface WebhookDelivery {
  eventId: string;
  type: string;
  url: string;
  /** the endpoint's HTTP status, or null when it could not be reached */
  status: number | null;
  error?: string;
}

/** An Event envelope in Stripe's shape for the account's objects. */
export function accountEvent(
  state: FakeStripeState,
  account: string,
  type: string,
  object: StripeObject,
): StripeObject {
  const event: StripeObject = {
    id: randomId('evt_', 24),
    object: 'event',
    api_version: EVENT_API_VERSION,
    created: Math.floor(state.now() / 1000),
    data: { object: structuredClone(object) },
    livemode: object.livemode === true,
    pending_webhooks: 0,
    request: { id: null, idempotency_key: null },
    type,
  };
  return state.store(state.events, event, account);
}

/**
 * Sends one event to the account's endpoints that want it, one after the other, and waits for their
 * answers (Stripe does not wait; the fake does so tests see the effect once the browser moves on).
 */
export async function deliverEvent(state: FakeStripeState, account: string, event: StripeObject) {
  const endpoints = [...state.webhookEndpoints.values()].filter(
    (endpoint) =>
      state.ownerOf.get(endpoint.id) === account &&
      endpoint.status === 'enabled' &&
      ((endpoint.enabled_events as string[]).includes('*') ||
        (endpoint.enabled_events as string[]).includes(event.type as string)),
  );
  for (const endpoint of endpoints) {
    const body = JSON.stringify(event, null, 2);
    const timestamp = Math.floor(state.now() / 1000);
    const signature = createHmac('sha256', endpoint.secret as string)
      .update(`${timestamp}.${body}`, 'utf8')
      .digest('hex');
    const delivery: WebhookDelivery = {
      eventId: event.id,
      type: event.type as string,
      url: endpoint.url as string,
      status: null,
    };
    try {
      const response = await fetch(endpoint.url as string, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json; charset=utf-8',
          'Stripe-Signature': `t=${timestamp},v1=${signature}`,
          'User-Agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
        },
        body,
        signal: AbortSignal.timeout(20_000),
      });
      delivery.status = response.status;
      await response.arrayBuffer();
    } catch (error) {
      delivery.error = error instanceof Error ? error.message : String(error);
    }
    state.webhookDeliveries.push(delivery);
  }
}
