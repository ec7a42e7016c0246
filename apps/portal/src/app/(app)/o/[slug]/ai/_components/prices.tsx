'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { SavedNote } from '../../../../../../components/config-fields';
import { ErrorState, Field, FormError, Loading } from '../../../../../../components/form';
import { fieldErrors, formError, useTRPC } from '../../../../../../trpc/client';
import { RowActions } from './row-actions';

interface PriceRow {
  id: string;
  provider: string;
  model: string;
  inputPerMillion: string;
  outputPerMillion: string;
}

/** Add (no `row`) or edit one price row; amounts are exact decimal strings (USD per million tokens). */
function PriceForm({
  orgSlug,
  row,
  onDone,
}: {
  orgSlug: string;
  row?: PriceRow;
  onDone: () => Promise<void>;
}) {
  const trpc = useTRPC();
  const [draft, setDraft] = useState({
    provider: row?.provider ?? 'openai',
    model: row?.model ?? '',
    inputPerMillion: row?.inputPerMillion ?? '',
    outputPerMillion: row?.outputPerMillion ?? '',
  });
  const [saved, setSaved] = useState(false);
  const save = useMutation(
    trpc.ai.setPrice.mutationOptions({
      onSuccess: async () => {
        setSaved(true);
        if (!row) setDraft((d) => ({ ...d, model: '', inputPerMillion: '', outputPerMillion: '' }));
        await onDone();
      },
    }),
  );
  const errors = fieldErrors(save.error);
  const id = row ? `price-${row.id}` : 'price-new';
  const set = (key: keyof typeof draft, value: string) => {
    setSaved(false);
    setDraft((d) => ({ ...d, [key]: value }));
  };
  function onSubmit(event: FormEvent) {
    event.preventDefault();
    save.mutate({ orgSlug, ...(row ? { priceId: row.id } : {}), ...draft });
  }
  return (
    <form onSubmit={onSubmit} noValidate aria-label={row ? `Edit price of ${row.model}` : 'Add a price'}>
      <div className="row">
        <Field
          id={`${id}-provider`}
          label="Provider"
          value={draft.provider}
          error={errors.provider}
          onChange={(e) => set('provider', e.target.value)}
        />
        <Field
          id={`${id}-model`}
          label="Model"
          placeholder="gpt-4o-mini"
          value={draft.model}
          error={errors.model}
          onChange={(e) => set('model', e.target.value)}
        />
        <Field
          id={`${id}-input`}
          label="Input, USD / 1M tokens"
          inputMode="decimal"
          placeholder="0.15"
          value={draft.inputPerMillion}
          error={errors.inputPerMillion}
          onChange={(e) => set('inputPerMillion', e.target.value)}
        />
        <Field
          id={`${id}-output`}
          label="Output, USD / 1M tokens"
          inputMode="decimal"
          placeholder="0.60"
          value={draft.outputPerMillion}
          error={errors.outputPerMillion}
          onChange={(e) => set('outputPerMillion', e.target.value)}
        />
      </div>
      <FormError message={formError(save.error)} />
      <div className="form-actions">
        <button type="submit" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : row ? 'Save price' : 'Add price'}
        </button>
        <SavedNote show={saved && !save.isPending}>Saved</SavedNote>
      </div>
    </form>
  );
}

function PriceItem({
  orgSlug,
  row,
  canWrite,
  onChanged,
}: {
  orgSlug: string;
  row: PriceRow;
  canWrite: boolean;
  onChanged: () => Promise<void>;
}) {
  const trpc = useTRPC();
  const [editing, setEditing] = useState(false);
  const remove = useMutation(trpc.ai.deletePrice.mutationOptions({ onSuccess: onChanged }));
  return (
    <tr>
      <td data-label="Provider">{row.provider}</td>
      <td data-label="Model">
        <code>{row.model}</code>
      </td>
      <td data-label="Input / 1M">${row.inputPerMillion}</td>
      <td data-label="Output / 1M">${row.outputPerMillion}</td>
      <td data-label="">
        {canWrite ? (
          <RowActions
            editing={editing}
            onToggleEdit={() => setEditing((v) => !v)}
            deleteLabel={`Delete the price of ${row.model}`}
            deleting={remove.isPending}
            onDelete={() => remove.mutate({ orgSlug, priceId: row.id })}
          />
        ) : null}
        <FormError message={remove.error?.message} />
        {editing ? <PriceForm orgSlug={orgSlug} row={row} onDone={onChanged} /> : null}
      </td>
    </tr>
  );
}

export function PricesSection({ orgSlug }: { orgSlug: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.ai.prices.queryOptions({ orgSlug }));
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.ai.prices.queryKey({ orgSlug }) });
  if (list.isPending) return <Loading what="Loading prices" />;
  if (list.isError) return <ErrorState error={list.error} />;
  return (
    <section aria-labelledby="prices-title">
      <h2 id="prices-title">Price table</h2>
      <p className="muted">
        What each provider model costs you, in USD per million tokens (exact decimals). The gateway prices
        every call from it; a model without a row costs 0.
      </p>
      {list.data.items.length === 0 ? (
        <p className="empty">No prices yet.</p>
      ) : (
        <div className="table-wrap">
          <table className="table stack" aria-label="Model prices">
            <thead>
              <tr>
                <th>Provider</th>
                <th>Model</th>
                <th>Input / 1M</th>
                <th>Output / 1M</th>
                <th>
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((row) => (
                <PriceItem
                  key={row.id}
                  orgSlug={orgSlug}
                  row={row}
                  canWrite={list.data.canWrite}
                  onChanged={refresh}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list.data.canWrite ? (
        <div className="card">
          <h3>Add a price</h3>
          <PriceForm orgSlug={orgSlug} onDone={refresh} />
        </div>
      ) : null}
    </section>
  );
}
