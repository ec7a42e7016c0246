'use client';

import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { Badge } from '~/components/ui/badge';
import { FormMessage } from '~/components/ui/field';
import { useTRPC } from '~/trpc/client';
import type { CredentialRow } from './credential-draft';
import { CredentialForm } from './credential-form';
import { RowActions } from './row-actions';

/** One provider account: what it points at and its key's hint; writers edit or delete it in place. */
export function CredentialItem({
  orgSlug,
  row,
  canWrite,
  onChanged,
}: {
  orgSlug: string;
  row: CredentialRow;
  canWrite: boolean;
  onChanged: () => Promise<void>;
}) {
  const trpc = useTRPC();
  const [editing, setEditing] = useState(false);
  const remove = useMutation(trpc.ai.deleteCredential.mutationOptions({ onSuccess: onChanged }));
  return (
    <li className="plan-item">
      <div className="plan-summary">
        <strong>{row.name}</strong>
        <Badge tone="info">{row.provider}</Badge>
        <span className="muted">{row.baseUrl ?? 'default endpoint'}</span>
        <span className="muted">key {row.secretHint ? `…${row.secretHint}` : 'set'}</span>
        <span className="muted">updated {new Date(row.updatedAt).toLocaleDateString()}</span>
      </div>
      {canWrite ? (
        <RowActions
          editing={editing}
          onToggleEdit={() => setEditing((v) => !v)}
          deleteLabel={`Delete ${row.name}`}
          deleting={remove.isPending}
          onDelete={() => {
            if (window.confirm(`Delete the credential "${row.name}"?`)) {
              remove.mutate({ orgSlug, credentialId: row.id });
            }
          }}
        />
      ) : null}
      <FormMessage message={remove.error?.message} />
      {editing ? <CredentialForm orgSlug={orgSlug} row={row} onDone={onChanged} /> : null}
    </li>
  );
}
