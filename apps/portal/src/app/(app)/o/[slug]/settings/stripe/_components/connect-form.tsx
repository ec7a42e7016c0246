'use client';

import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { SavedNote } from '~/components/config-fields';
import { Button } from '~/components/ui/button';
import { Field, FormMessage } from '~/components/ui/field';
import { fieldErrors, formError, useTRPC } from '~/trpc/client';
import { WebhookEndpoint } from './webhook-endpoint';

/**
 * Connects (or replaces) the Stripe keys, in the order the provider needs them: the secret key, then
 * the webhook endpoint to add in Stripe, then the signing secret Stripe shows for that endpoint.
 */
export function ConnectForm({
  slug,
  webhookPath,
  initialGraceDays,
  replacing,
  onSaved,
}: {
  slug: string;
  webhookPath: string;
  initialGraceDays: number;
  replacing: boolean;
  onSaved: () => Promise<unknown>;
}) {
  const trpc = useTRPC();
  const [secretKey, setSecretKey] = useState('');
  const [webhookSecret, setWebhookSecret] = useState('');
  const [graceDays, setGraceDays] = useState(String(initialGraceDays));
  const [saved, setSaved] = useState(false);
  const connect = useMutation(
    trpc.stripe.connect.mutationOptions({
      onSuccess: async () => {
        // Secrets leave the page as soon as the server has them.
        setSecretKey('');
        setWebhookSecret('');
        setSaved(true);
        await onSaved();
      },
    }),
  );
  const errors = fieldErrors(connect.error);

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    setSaved(false);
    connect.mutate({ orgSlug: slug, secretKey, webhookSecret, graceDays: Number(graceDays) });
  }

  return (
    <form className="card" onSubmit={onSubmit} noValidate aria-labelledby="connect-title" autoComplete="off">
      <h2 id="connect-title">{replacing ? 'Replace keys' : 'Connect Stripe'}</h2>
      <p className="muted">
        Keys are stored encrypted and are never shown again; only the last 4 characters of the secret key are.
        The key is checked with Stripe before it is saved.
      </p>
      <Field
        id="stripe-secret-key"
        label="Secret key"
        type="password"
        autoComplete="off"
        spellCheck={false}
        required
        placeholder="sk_live_… or rk_live_…"
        hint="Developers → API keys in Stripe. A restricted key needs write access to products, prices, customers, subscriptions, billing meters, Checkout and the customer portal."
        value={secretKey}
        error={errors.secretKey}
        onChange={(e) => setSecretKey(e.target.value)}
      />
      <WebhookEndpoint path={webhookPath} />
      <Field
        id="stripe-webhook-secret"
        label="Webhook signing secret"
        type="password"
        autoComplete="off"
        spellCheck={false}
        required
        placeholder="whsec_…"
        hint="Shown by Stripe once you have added the endpoint above."
        value={webhookSecret}
        error={errors.webhookSecret}
        onChange={(e) => setWebhookSecret(e.target.value)}
      />
      <Field
        id="stripe-grace-days"
        label="Grace period (days)"
        type="number"
        min={0}
        max={60}
        inputMode="numeric"
        hint="How long a failed payment is tolerated before the consumer's subscriptions are suspended (the gateway then answers 402 payment_required)."
        value={graceDays}
        error={errors.graceDays}
        onChange={(e) => setGraceDays(e.target.value)}
      />
      <FormMessage message={formError(connect.error)} />
      <div className="form-actions">
        <Button type="submit" disabled={connect.isPending}>
          {connect.isPending ? 'Checking with Stripe…' : replacing ? 'Replace keys' : 'Connect Stripe'}
        </Button>
        <SavedNote show={saved && !connect.isPending}>Stripe connected</SavedNote>
      </div>
    </form>
  );
}
