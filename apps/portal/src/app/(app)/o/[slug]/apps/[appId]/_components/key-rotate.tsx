'use client';

import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { Button } from '~/components/ui/button';
import { FormMessage } from '~/components/ui/field';
import { fieldErrors, formError, useTRPC } from '~/trpc/client';

/** Grace periods offered when rotating (the server accepts 1 h … 7 days). */
const GRACE_OPTIONS = [
  { seconds: 3600, label: '1 hour' },
  { seconds: 6 * 3600, label: '6 hours' },
  { seconds: 24 * 3600, label: '1 day' },
  { seconds: 3 * 24 * 3600, label: '3 days' },
  { seconds: 7 * 24 * 3600, label: '7 days' },
];

const selectClasses =
  'm-0 rounded-md border border-line bg-white px-2.5 py-1.5 text-base text-fg ' +
  'focus:outline-2 focus:outline-offset-1 focus:outline-accent';

/** Rotating a key: a new key at once, the old one keeps working for the chosen grace period. */
export function RotateKey({
  orgSlug,
  keyId,
  onRotated,
  onClose,
}: {
  orgSlug: string;
  keyId: string;
  onRotated: (plaintext: string) => Promise<void>;
  onClose: () => void;
}) {
  const trpc = useTRPC();
  const [grace, setGrace] = useState(String(24 * 3600));
  const rotate = useMutation(
    trpc.key.rotate.mutationOptions({ onSuccess: (result) => onRotated(result.plaintext) }),
  );
  const selectId = `grace-${keyId}`;
  return (
    <div className="flex flex-wrap items-end gap-2">
      <div className="flex flex-col gap-1">
        <label htmlFor={selectId} className="text-sm font-semibold">
          Old key keeps working for
        </label>
        <select
          id={selectId}
          className={selectClasses}
          value={grace}
          onChange={(e) => setGrace(e.target.value)}
        >
          {GRACE_OPTIONS.map((o) => (
            <option key={o.seconds} value={o.seconds}>
              {o.label}
            </option>
          ))}
        </select>
      </div>
      <Button
        size="sm"
        disabled={rotate.isPending}
        onClick={() => rotate.mutate({ orgSlug, keyId, graceSeconds: Number(grace) })}
      >
        {rotate.isPending ? 'Rotating…' : 'Rotate key'}
      </Button>
      <Button variant="secondary" size="sm" onClick={onClose}>
        Cancel
      </Button>
      <FormMessage message={formError(rotate.error) ?? fieldErrors(rotate.error).graceSeconds} />
    </div>
  );
}
