import type { IncomingMessage, ServerResponse } from 'node:http';
import { accountEvent, deliverEvent } from './routes-webhooks.ts';
import type { FakeStripeState, StripeObject } from './state.ts';

/**
 * The hosted page of a setup-mode Checkout Session (GET/POST /c/pay/{id}), after Stripe's test cards:
 * 4242 4242 4242 4242 is saved; 4000 0000 0000 0002 is declined ("Your card was declined.",
 * setup_intent.setup_failed), 4000 0000 0000 9995 declined for insufficient funds; any other number
 * is refused as invalid without contacting anyone. A saved card sends payment_method.attached,
 * setup_intent.succeeded and checkout.session.completed to the account's webhook endpoints, then
 * redirects (303) to success_url; the "Back" link leads to cancel_url, as on Stripe's page.
 */

interface Decline {
  code: string;
  declineCode: string;
  message: string;
}

const DECLINES: Record<string, Decline> = {
  '4000000000000002': {
    code: 'card_declined',
    declineCode: 'generic_decline',
    message: 'Your card was declined.',
  },
  '4000000000009995': {
    code: 'card_declined',
    declineCode: 'insufficient_funds',
    message: 'Your card has insufficient funds.',
  },
};
const SUCCEEDS = new Set(['4242424242424242', '5555555555554444']);

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

function page(res: ServerResponse, status: number, title: string, body: string): void {
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}
label{display:block;margin-top:.75rem}input{display:block;width:100%;box-sizing:border-box;padding:.5rem;font-size:1rem}
button{margin-top:1rem;padding:.6rem 1rem;font-size:1rem;background:#0a2540;color:#fff;border:0;border-radius:4px}
.error{color:#b00020;font-weight:600}.muted{color:#555}</style></head>
<body><main>${body}</main></body></html>`);
}

function form(session: StripeObject, error: string | null): string {
  const back = session.cancel_url
    ? `<p><a href="${escapeHtml(String(session.cancel_url))}">Back</a></p>`
    : '';
  return `<h1>Save a payment method</h1>
<p class="muted">Test mode: nothing is charged now. Your card is saved for future payments.</p>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post">
<label for="card">Card number</label><input id="card" name="card" inputmode="numeric" autocomplete="cc-number" required>
<label for="expiry">Expiration (MM / YY)</label><input id="expiry" name="expiry" autocomplete="cc-exp" required>
<label for="cvc">CVC</label><input id="cvc" name="cvc" inputmode="numeric" autocomplete="cc-csc" required>
<label for="name">Cardholder name</label><input id="name" name="name" autocomplete="cc-name">
<button type="submit">Save card</button>
</form>${back}`;
}

function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
      if (body.length > 10_000) reject(new Error('form too large'));
    });
    req.on('end', () => resolve(new URLSearchParams(body)));
    req.on('error', reject);
  });
}

function expiryProblem(expiry: string, now: Date): string | null {
  const match = /^\s*(\d{1,2})\s*\/\s*(\d{2}|\d{4})\s*$/.exec(expiry);
  if (!match) return "Your card's expiration date is incomplete.";
  const month = Number(match[1]);
  const year = match[2]!.length === 2 ? 2000 + Number(match[2]) : Number(match[2]);
  if (month < 1 || month > 12) return "Your card's expiration date is invalid.";
  if (year < now.getUTCFullYear() || (year === now.getUTCFullYear() && month < now.getUTCMonth() + 1)) {
    return "Your card's expiration year is in the past.";
  }
  return null;
}

export async function handleHostedCheckout(
  state: FakeStripeState,
  req: IncomingMessage,
  res: ServerResponse,
  sessionId: string,
): Promise<void> {
  const session = state.checkoutSessions.get(sessionId);
  const account = state.ownerOf.get(sessionId);
  if (!session || !account || session.mode !== 'setup') {
    page(
      res,
      404,
      'Not found',
      '<h1>Something went wrong</h1><p>The page you were looking for could not be found.</p>',
    );
    return;
  }
  if (session.status !== 'open') {
    page(res, 410, 'Session ended', '<h1>This Checkout Session is no longer active</h1>');
    return;
  }
  if (req.method === 'GET') {
    page(res, 200, 'Save a payment method', form(session, null));
    return;
  }
  if (req.method !== 'POST') {
    res.writeHead(405, { Allow: 'GET, POST' }).end();
    return;
  }
  const fields = await readForm(req);
  const card = (fields.get('card') ?? '').replace(/[\s-]/g, '');
  const problem =
    (!/^\d{13,19}$/.test(card) ? 'Your card number is incomplete.' : null) ??
    expiryProblem(fields.get('expiry') ?? '', new Date(state.now())) ??
    (!/^\d{3,4}$/.test((fields.get('cvc') ?? '').trim()) ? "Your card's security code is incomplete." : null);
  if (problem) {
    page(res, 200, 'Save a payment method', form(session, problem));
    return;
  }
  const setupIntent = state.setupIntents.get(session.setup_intent as string)!;
  const decline = DECLINES[card];
  if (decline || !SUCCEEDS.has(card)) {
    const refusal = decline ?? {
      code: 'incorrect_number',
      declineCode: '',
      message: 'Your card number is incorrect.',
    };
    Object.assign(setupIntent, {
      status: 'requires_payment_method',
      last_setup_error: {
        code: refusal.code,
        ...(refusal.declineCode ? { decline_code: refusal.declineCode } : {}),
        doc_url: `https://stripe.com/docs/error-codes/${refusal.code.replace(/_/g, '-')}`,
        message: refusal.message,
        type: 'card_error',
      },
    });
    if (decline) {
      await deliverEvent(
        state,
        account,
        accountEvent(state, account, 'setup_intent.setup_failed', setupIntent),
      );
    }
    page(res, 200, 'Save a payment method', form(session, refusal.message));
    return;
  }
  const brand = card.startsWith('5') ? 'mastercard' : 'visa';
  const done = state.completeSetupSession(sessionId, { last4: card.slice(-4), brand });
  Object.assign(setupIntent, { last_setup_error: null });
  const paymentMethod: StripeObject = {
    id: done.paymentMethodId,
    object: 'payment_method',
    card: { brand, last4: card.slice(-4), exp_month: 12, exp_year: 2034, funding: 'credit' },
    created: Math.floor(state.now() / 1000),
    customer: session.customer,
    livemode: session.livemode,
    metadata: {},
    type: 'card',
  };
  for (const [type, object] of [
    ['payment_method.attached', paymentMethod],
    ['setup_intent.succeeded', { ...done.setupIntent, last_setup_error: null }],
    ['checkout.session.completed', done.session],
  ] as const) {
    await deliverEvent(state, account, accountEvent(state, account, type, object));
  }
  const successUrl = String(session.success_url ?? '').replace('{CHECKOUT_SESSION_ID}', sessionId);
  res.writeHead(303, { Location: successUrl || '/' }).end();
}
