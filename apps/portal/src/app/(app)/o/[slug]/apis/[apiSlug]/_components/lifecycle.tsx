'use client';

import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Field, FormError } from '../../../../../../../components/form';
import { fieldErrors, formError, useTRPC } from '../../../../../../../trpc/client';

const DAY_MS = 86_400_000;
/** `yyyy-mm-dd` of a date, for `<input type="date">` (UTC, like the sunset itself). */
const dateInput = (d: Date) => d.toISOString().slice(0, 10);

function DeprecateForm({
  orgSlug,
  apiId,
  onChanged,
}: {
  orgSlug: string;
  apiId: string;
  onChanged: () => Promise<void>;
}) {
  const trpc = useTRPC();
  const [sunset, setSunset] = useState(() => dateInput(new Date(Date.now() + 90 * DAY_MS)));
  const [message, setMessage] = useState('');
  const deprecate = useMutation(trpc.policy.deprecate.mutationOptions({ onSuccess: onChanged }));
  const errors = fieldErrors(deprecate.error);

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    // The sunset is the end of the chosen day (UTC): calls are answered all day long.
    deprecate.mutate({ orgSlug, apiId, sunsetAt: sunset ? `${sunset}T23:59:59Z` : '', message });
  }

  return (
    <form className="lifecycle-step" onSubmit={onSubmit} noValidate aria-label="Deprecate">
      <p className="muted">
        Deprecating keeps the API running, closes new subscriptions and tells every subscriber (in-app and by
        mail); the gateway adds <code>Deprecation</code> and <code>Sunset</code> headers to each response.
      </p>
      <Field
        id="sunset-date"
        label="Sunset date"
        type="date"
        min={dateInput(new Date(Date.now() + DAY_MS))}
        value={sunset}
        error={errors.sunsetAt}
        onChange={(e) => setSunset(e.target.value)}
      />
      <Field
        id="deprecation-message"
        label="Message to subscribers (optional)"
        value={message}
        error={errors.message}
        onChange={(e) => setMessage(e.target.value)}
      />
      <button type="submit" className="secondary" disabled={deprecate.isPending}>
        {deprecate.isPending ? 'Deprecating…' : 'Deprecate API'}
      </button>
      <FormError message={formError(deprecate.error)} />
    </form>
  );
}

/** Deprecate with a sunset date, then retire (the gateway answers 410 api_retired): retiring asks for the slug. */
export function Lifecycle({
  orgSlug,
  api,
  onChanged,
}: {
  orgSlug: string;
  api: { id: string; slug: string; status: string; sunsetAt: Date | null };
  onChanged: () => Promise<void>;
}) {
  const trpc = useTRPC();
  const [confirming, setConfirming] = useState(false);
  const [confirmSlug, setConfirmSlug] = useState('');
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
        <DeprecateForm orgSlug={orgSlug} apiId={api.id} onChanged={onChanged} />
      ) : null}
      {api.status === 'DEPRECATED' && api.sunsetAt ? (
        <p role="status">
          Deprecated; sunset on <strong>{api.sunsetAt.toISOString().slice(0, 10)}</strong>. Retire it when the
          day comes.
        </p>
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
