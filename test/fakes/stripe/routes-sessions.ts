import {
  allowOnly,
  badRequest,
  hash,
  invalidParam,
  liveCustomer,
  mergeMetadata,
  missingParam,
  type Route,
  type RouteContext,
  retrieve,
  str,
  url,
} from './protocol.ts';
import { randomId, type StripeObject } from './state.ts';

/** Checkout Sessions (setup mode is what Portcullis uses) and customer portal sessions. */
function createCheckoutSession(ctx: RouteContext) {
  const p = ctx.params;
  allowOnly(p, [
    'mode',
    'customer',
    'success_url',
    'cancel_url',
    'currency',
    'payment_method_types',
    'metadata',
    'client_reference_id',
    'line_items',
    'setup_intent_data',
    'locale',
  ]);
  const mode = str(p, 'mode', true);
  if (!['payment', 'setup', 'subscription'].includes(mode))
    throw invalidParam('mode', `Invalid mode: ${mode}`);
  if (mode === 'setup') {
    if (p.line_items !== undefined)
      throw invalidParam('line_items', 'You can not pass `line_items` in `setup` mode.');
    if (p.currency === undefined && p.payment_method_types === undefined) throw missingParam('currency');
  } else if (p.line_items === undefined) {
    throw missingParam('line_items');
  }
  const customerId = str(p, 'customer');
  if (customerId !== undefined) liveCustomer(ctx, customerId);
  const id = randomId(ctx.livemode ? 'cs_live_' : 'cs_test_', 58);
  let setupIntentId: string | null = null;
  if (mode === 'setup') {
    setupIntentId = randomId('seti_', 24);
    ctx.state.store(
      ctx.state.setupIntents,
      {
        id: setupIntentId,
        object: 'setup_intent',
        created: ctx.nowSeconds,
        customer: customerId ?? null,
        livemode: ctx.livemode,
        last_setup_error: null,
        metadata: mergeMetadata({}, hash(p, 'setup_intent_data')?.metadata),
        payment_method: null,
        status: 'requires_payment_method',
        usage: 'off_session',
      },
      ctx.account,
    );
  }
  const session: StripeObject = {
    id,
    object: 'checkout.session',
    cancel_url: url(p, 'cancel_url') ?? null,
    client_reference_id: str(p, 'client_reference_id') ?? null,
    created: ctx.nowSeconds,
    currency: str(p, 'currency') ?? null,
    customer: customerId ?? null,
    expires_at: ctx.nowSeconds + 86_400,
    livemode: ctx.livemode,
    metadata: mergeMetadata({}, p.metadata),
    mode,
    payment_status: mode === 'setup' ? 'no_payment_required' : 'unpaid',
    setup_intent: setupIntentId,
    status: 'open',
    success_url: url(p, 'success_url') ?? null,
    // The fake's own hosted page when it knows where it listens (hosted-checkout.ts).
    url: `${ctx.state.publicUrl ?? 'https://checkout.stripe.com'}/c/pay/${id}`,
  };
  return ctx.state.store(ctx.state.checkoutSessions, session, ctx.account);
}

function createPortalSession(ctx: RouteContext) {
  const p = ctx.params;
  allowOnly(p, ['customer', 'return_url', 'configuration', 'locale', 'flow_data', 'on_behalf_of']);
  const customerId = str(p, 'customer', true);
  liveCustomer(ctx, customerId);
  const configuration = str(p, 'configuration');
  if (configuration === undefined && !ctx.state.portalConfigured) {
    throw badRequest(
      'No configuration provided and your test mode default configuration has not been created. Provide a configuration or create your default by saving your customer portal settings in test mode at https://dashboard.stripe.com/test/settings/billing/portal.',
    );
  }
  const session: StripeObject = {
    id: randomId('bps_', 24),
    object: 'billing_portal.session',
    configuration: configuration ?? 'bpc_default',
    created: ctx.nowSeconds,
    customer: customerId,
    flow: null,
    livemode: ctx.livemode,
    locale: str(p, 'locale') ?? null,
    on_behalf_of: null,
    return_url: url(p, 'return_url') ?? null,
    url: `https://billing.stripe.com/p/session/${ctx.livemode ? 'live' : 'test'}_${randomId('', 40)}`,
  };
  return ctx.state.store(ctx.state.portalSessions, session, ctx.account);
}

export const sessionRoutes: Route[] = [
  { method: 'POST', pattern: /^\/v1\/checkout\/sessions$/, handle: createCheckoutSession },
  {
    method: 'GET',
    pattern: /^\/v1\/checkout\/sessions\/([^/]+)$/,
    handle: retrieve((s) => s.checkoutSessions, 'checkout.session'),
  },
  { method: 'POST', pattern: /^\/v1\/billing_portal\/sessions$/, handle: createPortalSession },
];
