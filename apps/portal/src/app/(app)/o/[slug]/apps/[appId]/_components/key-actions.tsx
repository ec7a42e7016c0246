'use client';

import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { Button } from '~/components/ui/button';
import { FormMessage } from '~/components/ui/field';
import { formError, useTRPC } from '~/trpc/client';
import { RotateKey } from './key-rotate';

export interface KeyRow {
  id: string;
  name: string;
  prefix: string;
  last4: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  expiresAt: Date | null;
}

export const keyLabel = (key: Pick<KeyRow, 'prefix' | 'last4'>) => `${key.prefix}…${key.last4}`;

/** A usable key's row actions: rotate (with a grace period) or revoke, each confirmed in place. */
export function KeyActions({
  orgSlug,
  keyRow,
  onChanged,
  onRotated,
}: {
  orgSlug: string;
  keyRow: KeyRow;
  onChanged: () => Promise<unknown>;
  onRotated: (plaintext: string, replaces: string) => void;
}) {
  const trpc = useTRPC();
  const [mode, setMode] = useState<'idle' | 'revoke' | 'rotate'>('idle');
  const done = async () => {
    setMode('idle');
    await onChanged();
  };
  const revoke = useMutation(trpc.key.revoke.mutationOptions({ onSuccess: done }));
  const name = `${keyRow.name} (${keyLabel(keyRow)})`;
  if (mode === 'rotate') {
    return (
      <RotateKey
        orgSlug={orgSlug}
        keyId={keyRow.id}
        onClose={() => setMode('idle')}
        onRotated={async (plaintext) => {
          onRotated(plaintext, keyRow.name);
          await done();
        }}
      />
    );
  }
  if (mode === 'revoke') {
    return (
      <div className="flex flex-wrap items-center gap-2">
        <span>Requests with this key will be refused.</span>
        <Button
          variant="danger"
          size="sm"
          disabled={revoke.isPending}
          onClick={() => revoke.mutate({ orgSlug, keyId: keyRow.id })}
        >
          Confirm
        </Button>
        <Button variant="secondary" size="sm" onClick={() => setMode('idle')}>
          Cancel
        </Button>
        <FormMessage message={formError(revoke.error)} />
      </div>
    );
  }
  return (
    <div className="flex flex-wrap gap-2">
      <Button variant="secondary" size="sm" onClick={() => setMode('rotate')} aria-label={`Rotate ${name}`}>
        Rotate
      </Button>
      <Button variant="danger" size="sm" onClick={() => setMode('revoke')} aria-label={`Revoke ${name}`}>
        Revoke
      </Button>
    </div>
  );
}
