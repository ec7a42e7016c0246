'use client';

import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { FormError } from '../../../../../../../../components/form';
import { useTRPC } from '../../../../../../../../trpc/client';

/** Archiving a plan, after a confirmation: new subscriptions stop, existing ones keep working. */
export function ArchivePlan({
  orgSlug,
  plan,
  onDone,
}: {
  orgSlug: string;
  plan: { id: string; name: string };
  onDone: () => Promise<void>;
}) {
  const trpc = useTRPC();
  const [confirming, setConfirming] = useState(false);
  const archive = useMutation(trpc.policy.archivePlan.mutationOptions({ onSuccess: onDone }));
  if (!confirming) {
    return (
      <button
        type="button"
        className="danger"
        aria-label={`Archive plan ${plan.name}`}
        onClick={() => setConfirming(true)}
      >
        Archive plan
      </button>
    );
  }
  return (
    <div className="confirm">
      <span>Archive {plan.name}? New subscriptions stop; existing ones keep working.</span>
      <button
        type="button"
        className="danger"
        disabled={archive.isPending}
        onClick={() => archive.mutate({ orgSlug, planId: plan.id })}
      >
        {archive.isPending ? 'Archiving…' : 'Confirm archive'}
      </button>
      <button type="button" className="secondary" onClick={() => setConfirming(false)}>
        Keep
      </button>
      <FormError message={archive.error?.message} />
    </div>
  );
}
