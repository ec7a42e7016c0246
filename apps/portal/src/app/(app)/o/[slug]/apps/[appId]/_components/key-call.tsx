'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { firstCall } from '~/components/key-snippets/first-call';
import { KeySnippets } from '~/components/key-snippets/key-snippets';
import { QueryState } from '~/components/ui/query-state';
import { useTRPC } from '~/trpc/client';
import { type CallTarget, callTarget, type SubscribedApi } from './call-target';

/** The snippets for the subscribed API, at the gateway address the catalog shows for it. */
function ActiveCall({ api, plaintext }: { api: SubscribedApi; plaintext: string }) {
  const trpc = useTRPC();
  const detail = useQuery(trpc.catalog.get.queryOptions({ orgSlug: api.orgSlug, apiSlug: api.slug }));
  return (
    <>
      <p>
        A first call to <Link href={`/catalog/${api.orgSlug}/${api.slug}`}>{api.name}</Link> with this key,
        ready to paste:
      </p>
      <QueryState query={detail} pendingLabel={`Loading the address of ${api.name}`}>
        {(data) => (
          <KeySnippets
            call={firstCall(data.kind, data.gatewayBaseUrl, data.openapiSpec)}
            plaintext={plaintext}
          />
        )}
      </QueryState>
    </>
  );
}

const WHY: Record<'approval' | 'payment_method' | 'suspended', string> = {
  approval: "waits for the provider's approval: the key opens it once approved.",
  payment_method: 'waits for a payment method: add one on the Billing page and the key opens it.',
  suspended: 'is suspended: the key opens it again once the subscription is resumed.',
};

/** Why there is no call to show yet, and where to go next. */
function NoCall({ orgSlug, target }: { orgSlug: string; target: Exclude<CallTarget, { kind: 'active' }> }) {
  if (target.kind !== 'none') {
    return (
      <p data-testid="no-snippet">
        This app&apos;s subscription to{' '}
        <Link href={`/catalog/${target.api.orgSlug}/${target.api.slug}`}>{target.api.name}</Link>{' '}
        {WHY[target.kind]}
        {target.kind === 'payment_method' ? (
          <>
            {' '}
            <Link href={`/o/${orgSlug}/billing`}>Go to Billing</Link>
          </>
        ) : null}
      </p>
    );
  }
  return (
    <p data-testid="no-snippet">
      This app has no active subscription, so the key opens no API yet.{' '}
      <Link href="/catalog">Find an API in the catalog</Link> and subscribe this app.
    </p>
  );
}

/** What to call with a new key: curl and fetch for the app's first active subscription. */
export function KeyCall({
  orgSlug,
  appId,
  plaintext,
}: {
  orgSlug: string;
  appId: string;
  plaintext: string;
}) {
  const trpc = useTRPC();
  const subs = useQuery(trpc.subscription.listMine.queryOptions({ orgSlug, appId }));
  return (
    <QueryState query={subs} pendingLabel="Loading the app's subscriptions">
      {(rows) => {
        const target = callTarget(rows);
        return target.kind === 'active' ? (
          <ActiveCall
            key={`${target.api.orgSlug}/${target.api.slug}`}
            api={target.api}
            plaintext={plaintext}
          />
        ) : (
          <NoCall orgSlug={orgSlug} target={target} />
        );
      }}
    </QueryState>
  );
}
