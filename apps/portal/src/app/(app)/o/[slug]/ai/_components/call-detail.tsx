'use client';

import { useQuery } from '@tanstack/react-query';
import { CodeBlock } from '~/components/ui/code-block';
import { QueryState } from '~/components/ui/query-state';
import { useTRPC } from '~/trpc/client';
import { CallGuardrails } from './call-guardrails';

/** What the guardrails decided on one call, and its stored bodies (APIs that log bodies only). */
export function CallDetail({ orgSlug, id, at }: { orgSlug: string; id: string; at: Date }) {
  const trpc = useTRPC();
  const call = useQuery(trpc.ai.callDetail.queryOptions({ orgSlug, id, at }));
  return (
    <QueryState query={call} pendingLabel="Loading bodies">
      {(data) => (
        <div className="min-w-0" data-testid="call-bodies">
          <CallGuardrails decisions={data.guardrails} />
          <h3>Request</h3>
          <CodeBlock code={data.requestBody ?? 'not stored'} label="Request body" />
          <h3>Response</h3>
          <CodeBlock code={data.responseBody ?? 'not stored'} label="Response body" />
        </div>
      )}
    </QueryState>
  );
}
