'use client';

import { useEffect, useState } from 'react';
import { CopyButton } from '~/components/ui/code-block';

/** The events the webhook endpoint in Stripe must send. */
const WEBHOOK_EVENTS = [
  'invoice.paid',
  'invoice.payment_succeeded',
  'invoice.payment_failed',
  'checkout.session.completed',
  'setup_intent.succeeded',
  'customer.subscription.updated',
  'customer.subscription.deleted',
];

/** The endpoint URL to paste into Stripe (with a copy button) and the events to select there. */
export function WebhookEndpoint({ path }: { path: string }) {
  const [origin, setOrigin] = useState('');
  // The browser's origin is the portal's public address, whatever proxy sits in front of it.
  useEffect(() => setOrigin(window.location.origin), []);
  const url = `${origin}${path}`;
  return (
    <div className="field" data-testid="stripe-webhook-endpoint">
      <strong>Webhook endpoint URL</strong>
      <p>
        <code className="[overflow-wrap:anywhere]">{url}</code> <CopyButton text={url} label="Copy URL" />
      </p>
      <p className="hint">
        In Stripe: Developers → Webhooks → Add endpoint, paste this URL and select {WEBHOOK_EVENTS.join(', ')}
        . Stripe then shows the endpoint’s signing secret.
      </p>
    </div>
  );
}
