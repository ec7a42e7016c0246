'use client';

import { useMutation, useQuery } from '@tanstack/react-query';
import { useId } from 'react';
import { Button } from '~/components/ui/button';
import { FormMessage } from '~/components/ui/field';
import { QueryState } from '~/components/ui/query-state';
import { formError, useTRPC } from '~/trpc/client';

interface Provider {
  providerOrgId: string;
  providerName: string;
  hasPaymentMethod: boolean;
  delinquentSince: Date | string | null;
}

function PaymentBadge({ provider }: { provider: Provider }) {
  if (provider.delinquentSince) return <span className="badge status-suspended">payment failed</span>;
  if (provider.hasPaymentMethod) return <span className="badge status-active">payment method on file</span>;
  return <span className="badge">no payment method</span>;
}

/**
 * The providers that bill this organization through Stripe, with links to save a payment method and
 * to Stripe's customer portal. `payReason` says why this member cannot (null when they can).
 */
export function ConsumerBilling({ slug, payReason }: { slug: string; payReason: string | null }) {
  const trpc = useTRPC();
  const reasonId = useId();
  const providers = useQuery(trpc.stripe.consumerBilling.queryOptions({ orgSlug: slug }));
  const here = () => window.location.href;
  const go = ({ url }: { url: string }) => window.location.assign(url);
  const setup = useMutation(trpc.stripe.paymentSetupLink.mutationOptions({ onSuccess: go }));
  const portal = useMutation(trpc.stripe.billingPortalLink.mutationOptions({ onSuccess: go }));
  const describedBy = payReason ? reasonId : undefined;
  return (
    <QueryState
      query={providers}
      pendingLabel="Loading your Stripe billing"
      isEmpty={(rows) => rows.length === 0}
      empty={null}
    >
      {(rows) => (
        <section className="card" aria-labelledby="consumer-billing-title">
          <h2 id="consumer-billing-title">Paying your providers</h2>
          <p className="muted">These providers bill your subscriptions through Stripe.</p>
          {payReason ? (
            <p id={reasonId} className="muted">
              {payReason}
            </p>
          ) : null}
          <ul className="list">
            {rows.map((provider) => (
              <li key={provider.providerOrgId} className="sub">
                <span>
                  <strong>{provider.providerName}</strong> <PaymentBadge provider={provider} />
                </span>
                <span className="actions">
                  <Button
                    size="sm"
                    disabled={setup.isPending || payReason !== null}
                    aria-describedby={describedBy}
                    onClick={() =>
                      setup.mutate({
                        orgSlug: slug,
                        providerOrgId: provider.providerOrgId,
                        successUrl: here(),
                        cancelUrl: here(),
                      })
                    }
                  >
                    Add payment method
                  </Button>
                  <Button
                    size="sm"
                    variant="secondary"
                    disabled={portal.isPending || payReason !== null}
                    aria-describedby={describedBy}
                    onClick={() =>
                      portal.mutate({
                        orgSlug: slug,
                        providerOrgId: provider.providerOrgId,
                        returnUrl: here(),
                      })
                    }
                  >
                    Invoices and payment methods
                  </Button>
                </span>
              </li>
            ))}
          </ul>
          <FormMessage message={formError(setup.error) ?? formError(portal.error)} />
        </section>
      )}
    </QueryState>
  );
}
