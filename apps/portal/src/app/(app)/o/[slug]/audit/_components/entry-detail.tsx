'use client';

import { useQuery } from '@tanstack/react-query';
import { CodeBlock } from '~/components/ui/code-block';
import { QueryState } from '~/components/ui/query-state';
import { utcPrecise } from '~/lib/format';
import { useTRPC } from '~/trpc/client';

const json = (value: unknown) =>
  value === null || value === undefined ? '—' : JSON.stringify(value, null, 2);

export function EntryDetail({ orgSlug, id }: { orgSlug: string; id: string }) {
  const trpc = useTRPC();
  const entry = useQuery(trpc.audit.get.queryOptions({ orgSlug, id }));
  return (
    <QueryState query={entry} pendingLabel="Loading entry">
      {(e) => (
        <div data-testid="audit-detail">
          <dl className="facts">
            <dt>When (UTC)</dt>
            <dd>{utcPrecise(e.at)}</dd>
            <dt>Actor</dt>
            <dd>{e.actor ? `${e.actor.name ?? e.actor.email} (${e.actor.email})` : 'System'}</dd>
            {e.apiToken ? (
              <>
                <dt>Via API token</dt>
                <dd>
                  {e.apiToken.name} <code className="text-muted">{e.apiToken.prefix}…</code>
                </dd>
              </>
            ) : null}
            <dt>Action</dt>
            <dd>
              <code>{e.action}</code>
            </dd>
            <dt>Target</dt>
            <dd>
              {e.targetType} {e.targetName ? <strong>{e.targetName}</strong> : null}{' '}
              <code className="text-muted">{e.targetId}</code>
            </dd>
          </dl>
          <div className="grid min-w-0 gap-4 md:grid-cols-2">
            <section aria-label="Before" className="min-w-0">
              <h3>Before</h3>
              <CodeBlock code={json(e.before)} label="Record before" />
            </section>
            <section aria-label="After" className="min-w-0">
              <h3>After</h3>
              <CodeBlock code={json(e.after)} label="Record after" />
            </section>
          </div>
        </div>
      )}
    </QueryState>
  );
}
