'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { EmptyState } from '~/components/ui/empty-state';
import { useTRPC } from '~/trpc/client';

const SIGN_IN = '/signin?callbackUrl=%2Fcatalog';
const SIGN_UP = '/signup?callbackUrl=%2Fcatalog';
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
    const notShown = `${apis(count)} ${verb} not shown to signed-out visitors.`;
    if (listEmpty) {
      return (
        <div data-testid="hidden-apis">
          <EmptyState
            title="Sign in to see the APIs published here"
            description={
              <>
                {notShown} No account yet? <Link href={SIGN_UP}>Create an account</Link>.
              </>
            }
            action={{ label: 'Sign in', href: SIGN_IN }}
          />
        </div>
      );
    }
    return (
      <p className="card" data-testid="hidden-apis">
        Sign in to see more: {notShown} <Link href={SIGN_IN}>Sign in</Link> or{' '}
        <Link href={SIGN_UP}>create an account</Link>.
      </p>
    );
  }
  if (count > 0 && listEmpty) {
    return (
      <div data-testid="hidden-apis">
        <EmptyState
          title="No APIs shared with you yet"
          description={`${apis(count)} ${verb} private to ${count === 1 ? 'its provider' : 'their providers'}. Ask a provider to share theirs with your organization.`}
          action={{ label: 'Open your dashboard', href: '/dashboard' }}
        />
      </div>
    );
  }
  return fallback;
}
