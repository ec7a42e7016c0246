'use client';

import { MutationCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createTRPCClient, httpBatchLink, TRPCClientError } from '@trpc/client';
import { createTRPCContext } from '@trpc/tanstack-react-query';
import { type ReactNode, useState } from 'react';
import superjson from 'superjson';
import { z } from 'zod';
import type { AppRouter } from '../server/root';
import { affectedDomains, inDomains } from './invalidation';

// The pages' Content-Security-Policy allows no eval: zod would probe for it with `Function('')` before
// compiling its fast parsers, and every probe is a reported violation. Forms parse small inputs.
z.config({ jitless: true });

const trpcContext = createTRPCContext<AppRouter>();
const { TRPCProvider } = trpcContext;
export const { useTRPC } = trpcContext;

function makeQueryClient() {
  const queryClient: QueryClient = new QueryClient({
    // Every successful mutation marks the queries it changes stale (see invalidation.ts); the mutation
    // stays pending until those on screen have refetched, so what follows it shows fresh data.
    mutationCache: new MutationCache({
      onSuccess: (_data, _variables, _context, mutation) => {
        const domains = affectedDomains(mutation.options.mutationKey);
        if (domains.size === 0) return;
        return queryClient.invalidateQueries({ predicate: inDomains(domains) });
      },
    }),
    defaultOptions: {
      queries: {
        staleTime: 5_000,
        // Client errors (not found, forbidden, bad input) will not fix themselves on retry.
        retry: (failureCount, error) => {
          const status =
            error instanceof TRPCClientError ? (error.data as { httpStatus?: number })?.httpStatus : 0;
          return (status === undefined || status >= 500 || status === 0) && failureCount < 2;
        },
      },
    },
  });
  return queryClient;
}

export function Providers({ children }: { children: ReactNode }) {
  const [queryClient] = useState(makeQueryClient);
  const [trpcClient] = useState(() =>
    createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: '/api/trpc', transformer: superjson })] }),
  );
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        {children}
      </TRPCProvider>
    </QueryClientProvider>
  );
}

/** Field-level messages sent by the server's error formatter (domain `fields` or zod field errors). */
export function fieldErrors(error: unknown): Record<string, string> {
  if (error instanceof TRPCClientError) {
    const fields = (error.data as { fields?: Record<string, string> | null } | undefined)?.fields;
    if (fields) return fields;
  }
  return {};
}

/** A message for errors that are not about one field. */
export function formError(error: unknown): string | null {
  if (!error) return null;
  if (Object.keys(fieldErrors(error)).length > 0) return null;
  if (error instanceof TRPCClientError) return error.message;
  return 'Something went wrong. Please try again.';
}

export function isNotFound(error: unknown): boolean {
  return (
    error instanceof TRPCClientError && (error.data as { code?: string } | undefined)?.code === 'NOT_FOUND'
  );
}
