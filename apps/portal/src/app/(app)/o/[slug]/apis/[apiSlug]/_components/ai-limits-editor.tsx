'use client';

import type { AiLimit } from '@portcullis/core/ai-config';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button } from '~/components/ui/button';
import { QueryState } from '~/components/ui/query-state';
import { useTRPC } from '~/trpc/client';
import { AiLimitsForm, SCOPES, WINDOWS } from './ai/ai-limits-form';

const formatAiLimit = (l: AiLimit) =>
  `${l.metric === 'usd' ? `$${l.limit}` : `${l.limit} tokens`} ${WINDOWS.find((w) => w.value === l.window)?.label ?? l.window} for ${SCOPES.find((s) => s.value === l.scope)?.label ?? l.scope}`;

/** A plan's token limits and USD budgets; shown only for plans of AI and prompt APIs. */
export function AiLimitsEditor({ orgSlug, planId }: { orgSlug: string; planId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const limits = useQuery(trpc.ai.planLimits.queryOptions({ orgSlug, planId }));
  const [editing, setEditing] = useState(false);
  // Plans of REST APIs show nothing: no placeholder while the kind is being looked up.
  if (limits.isPending || limits.data?.apiKind === 'REST') return null;
  const refresh = () =>
    queryClient.invalidateQueries({ queryKey: trpc.ai.planLimits.queryKey({ orgSlug, planId }) });
  return (
    <QueryState query={limits}>
      {(data) => (
        <section className="plan-editor" aria-label="AI limits">
          <p>
            <strong>AI limits:</strong>{' '}
            <span className="text-muted">
              {data.limits.length === 0 ? 'none' : data.limits.map(formatAiLimit).join('; ')}
            </span>{' '}
            {data.canWrite ? (
              <Button
                variant="secondary"
                size="sm"
                aria-expanded={editing}
                onClick={() => setEditing((v) => !v)}
              >
                {editing ? 'Close' : 'Edit AI limits'}
              </Button>
            ) : null}
          </p>
          {editing ? (
            <AiLimitsForm orgSlug={orgSlug} planId={planId} initial={data.limits} onSaved={refresh} />
          ) : null}
        </section>
      )}
    </QueryState>
  );
}
