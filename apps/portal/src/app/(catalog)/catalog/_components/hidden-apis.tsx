'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { useTRPC } from '../../../../trpc/client';

const apis = (n: number) => `${n} published API${n === 1 ? '' : 's'}`;

/**
 * Why the catalog shows fewer APIs than exist: counts only, never names. Signed out, an invitation to
 * sign in; signed in, when nothing is listed, that the rest are private to their providers. `fallback`
 * shows when nothing is hidden.
 */
export function HiddenApis({ listEmpty, fallback }: { listEmpty: boolean; fallback: ReactNode }) {
  const trpc = useTRPC();
  const me = useQuery(trpc.auth.me.queryOptions());
  const hidden = useQuery(trpc.catalog.hidden.queryOptions());
  if (!me.isSuccess || !hidden.isSuccess) return null;
  const count = hidden.data.hidden;
  const verb = count === 1 ? 'is' : 'are';
  if (count > 0 && !me.data) {
    return (
      <p className={listEmpty ? undefined : 'card'} data-testid="hidden-apis">
        {listEmpty ? 'Sign in to see the APIs published here: ' : 'Sign in to see more: '}
        {apis(count)} {verb} not shown to signed-out visitors.{' '}
        <Link href="/signin?callbackUrl=%2Fcatalog">Sign in</Link> or{' '}
        <Link href="/signup?callbackUrl=%2Fcatalog">create an account</Link>.
      </p>
    );
  }
  if (count > 0 && listEmpty) {
    return (
      <p data-testid="hidden-apis">
        {apis(count)} {verb} private to {count === 1 ? 'its provider' : 'their providers'}. Ask a provider to
        share theirs with your organization.
      </p>
    );
  }
  return fallback;
}
