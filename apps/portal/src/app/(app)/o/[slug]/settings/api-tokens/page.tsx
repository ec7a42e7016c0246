'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { useState } from 'react';
import { OrgCrumb } from '~/components/org-crumb';
import { EmptyState } from '~/components/ui/empty-state';
import { QueryState } from '~/components/ui/query-state';
import { useTRPC } from '~/trpc/client';
import { type CreatedToken, CreateToken } from './_components/create-token';
import type { TokenRole } from './_components/scopes';
import { TokenCreated } from './_components/token-created';
import { TokenTable } from './_components/token-table';

export default function ApiTokensPage() {
  const { slug } = useParams<{ slug: string }>();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.apiTokens.list.queryOptions({ orgSlug: slug }));
  const [created, setCreated] = useState<CreatedToken | null>(null);
  const refresh = () =>
    queryClient.invalidateQueries({ queryKey: trpc.apiTokens.list.queryKey({ orgSlug: slug }) });
  return (
    <>
      <OrgCrumb slug={slug} />
      <div className="page-head">
        <h1>API tokens</h1>
        <p className="muted m-0">
          Tokens for the management API and its MCP server. See the{' '}
          <Link href="/docs/management-api">management API reference</Link>.
        </p>
      </div>
      <QueryState query={list} pendingLabel="Loading tokens">
        {(data) => (
          <>
            <div className="mb-3">
              <CreateToken
                orgSlug={slug}
                myRole={data.role as TokenRole}
                onCreated={(token) => {
                  setCreated(token);
                  void refresh();
                }}
              />
            </div>
            {created ? <TokenCreated name={created.name} token={created.token} /> : null}
            {data.rows.length === 0 ? (
              <EmptyState title="No tokens yet." description="Create one to automate this organization." />
            ) : (
              <section className="card min-w-0" aria-label="Tokens">
                <TokenTable orgSlug={slug} rows={data.rows} onChanged={refresh} />
              </section>
            )}
          </>
        )}
      </QueryState>
    </>
  );
}
