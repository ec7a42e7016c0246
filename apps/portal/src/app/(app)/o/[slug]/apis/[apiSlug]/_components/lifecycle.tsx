'use client';

import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Field, FormError } from '../../../../../../../components/form';
import { fieldErrors, formError, useTRPC } from '../../../../../../../trpc/client';

/** Deprecate, then retire (the gateway answers 410 api_retired): retiring asks for the slug. */
export function Lifecycle({
  orgSlug,
  api,
  onChanged,
}: {
  orgSlug: string;
  api: { id: string; slug: string; status: string };
  onChanged: () => Promise<void>;
}) {
  const trpc = useTRPC();
  const [confirming, setConfirming] = useState(false);
  const [confirmSlug, setConfirmSlug] = useState('');
  const deprecate = useMutation(trpc.policy.deprecate.mutationOptions({ onSuccess: onChanged }));
  const retire = useMutation(
    trpc.policy.retire.mutationOptions({
      onSuccess: async () => {
        setConfirming(false);
        await onChanged();
      },
    }),
  );
  const errors = fieldErrors(retire.error);
  if (api.status === 'DRAFT') return null;
  if (api.status === 'RETIRED') {
    return (
      <section className="card danger-zone" aria-labelledby="lifecycle-title">
        <h2 id="lifecycle-title">Lifecycle</h2>
        <p role="status">This API is retired: the gateway answers 410 to every call.</p>
      </section>
    );
  }

  function onRetire(event: FormEvent) {
    event.preventDefault();
    retire.mutate({ orgSlug, apiId: api.id, confirmSlug });
  }

  return (
    <section className="card danger-zone" aria-labelledby="lifecycle-title">
      <h2 id="lifecycle-title">Lifecycle</h2>
      {api.status === 'PUBLISHED' ? (
        <div className="lifecycle-step">
          <p className="muted">Deprecating keeps the API running and tells consumers to move off it.</p>
          <button
            type="button"
            className="secondary"
            disabled={deprecate.isPending}
            onClick={() => deprecate.mutate({ orgSlug, apiId: api.id })}
          >
            {deprecate.isPending ? 'Deprecating…' : 'Deprecate API'}
          </button>
          <FormError message={formError(deprecate.error)} />
        </div>
      ) : null}
      <p className="muted">
        Retiring cuts every consumer off: the gateway answers <code>410 api_retired</code>. It cannot be
        undone.
      </p>
      {confirming ? (
        <form className="inline-form" onSubmit={onRetire} noValidate>
          <Field
            id="retire-confirm"
            label={`Type ${api.slug} to confirm`}
            autoComplete="off"
            value={confirmSlug}
            error={errors.confirmSlug}
            onChange={(e) => setConfirmSlug(e.target.value)}
          />
          <button type="submit" className="danger" disabled={retire.isPending}>
            {retire.isPending ? 'Retiring…' : 'Retire permanently'}
          </button>
          <button type="button" className="secondary" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </form>
      ) : (
        <button type="button" className="danger" onClick={() => setConfirming(true)}>
          Retire API…
        </button>
      )}
      <FormError message={formError(retire.error)} />
    </section>
  );
}
