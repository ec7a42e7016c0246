'use client';

import type { AiLimit } from '@portcullis/core/ai-config';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ErrorState } from '../../../../../../../components/form';
import { useTRPC } from '../../../../../../../trpc/client';
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
  if (limits.isPending) return null;
  if (limits.isError) return <ErrorState error={limits.error} />;
  if (limits.data.apiKind === 'REST') return null;
  const refresh = () =>
    queryClient.invalidateQueries({ queryKey: trpc.ai.planLimits.queryKey({ orgSlug, planId }) });
  return (
    <section className="plan-editor" aria-label="AI limits">
      <p>
        <strong>AI limits:</strong>{' '}
        <span className="muted">
          {limits.data.limits.length === 0 ? 'none' : limits.data.limits.map(formatAiLimit).join('; ')}
        </span>{' '}
        {limits.data.canWrite ? (
          <button
            type="button"
            className="secondary"
            aria-expanded={editing}
            onClick={() => setEditing((v) => !v)}
          >
            {editing ? 'Close' : 'Edit AI limits'}
          </button>
        ) : null}
      </p>
      {editing ? (
        <AiLimitsForm orgSlug={orgSlug} planId={planId} initial={limits.data.limits} onSaved={refresh} />
      ) : null}
    </section>
  );
}
