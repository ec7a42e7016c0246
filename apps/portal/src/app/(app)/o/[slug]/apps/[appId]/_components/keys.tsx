'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useState } from 'react';
import { EmptyState } from '~/components/ui/empty-state';
import { QueryState } from '~/components/ui/query-state';
import { useTRPC } from '~/trpc/client';
import { KeyCreateForm } from './key-create-form';
import { KeyTable } from './key-table';
import { NewKey, type ShownKey } from './new-key';

/** The app's keys: create (shown once, with a first call), rotate with a grace period, revoke. */
export function Keys({
  orgSlug,
  appId,
  canWrite,
  readOnlyNote,
}: {
  orgSlug: string;
  appId: string;
  canWrite: boolean;
  /** Shown instead of the controls when the viewer's role may not change keys. */
  readOnlyNote: string | null;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [shown, setShown] = useState<ShownKey | null>(null);
  const keys = useQuery(trpc.key.list.queryOptions({ orgSlug, appId }));
  const refresh = useCallback(
    () => queryClient.invalidateQueries({ queryKey: trpc.key.list.queryKey({ orgSlug, appId }) }),
    [queryClient, trpc, orgSlug, appId],
  );
  const onRotated = useCallback(
    (plaintext: string, replaces: string) => setShown({ plaintext, replaces }),
    [],
  );
  return (
    <section className="card min-w-0" aria-labelledby="keys-title">
      <h2 id="keys-title">API keys</h2>
      {canWrite ? (
        <KeyCreateForm
          orgSlug={orgSlug}
          appId={appId}
          onCreated={(plaintext) => {
            setShown({ plaintext });
            return refresh();
          }}
        />
      ) : readOnlyNote ? (
        <p className="text-muted" data-testid="keys-read-only">
          {readOnlyNote}
        </p>
      ) : null}
      {shown ? (
        <NewKey orgSlug={orgSlug} appId={appId} shown={shown} onDismiss={() => setShown(null)} />
      ) : null}
      <QueryState
        query={keys}
        pendingLabel="Loading keys"
        isEmpty={(rows) => rows.length === 0}
        empty={
          <EmptyState
            title="No keys yet"
            description={
              canWrite
                ? 'Name a key above and create it: it is shown once, with a call ready to paste.'
                : 'Keys of this app appear here once someone creates one.'
            }
          />
        }
      >
        {(rows) => (
          <KeyTable
            orgSlug={orgSlug}
            rows={rows}
            canWrite={canWrite}
            onChanged={refresh}
            onRotated={onRotated}
          />
        )}
      </QueryState>
    </section>
  );
}
