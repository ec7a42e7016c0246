'use client';

import { useFieldArray, useFormContext } from 'react-hook-form';
import { ListError, NumberField, TextField } from '../../../../../../../../components/forms/fields';
import { type Draft, NEW_TIER } from '../pricing-draft';

const MAX_TIERS = 20;

/** Graduated tiers: each tier's requests are priced at its own rate. */
export function TiersFieldset({ id }: { id: (name: string) => string }) {
  const { control } = useFormContext<Draft>();
  const tiers = useFieldArray({ control, name: 'tiers' });
  return (
    <fieldset className="group">
      <legend>Tiers</legend>
      {tiers.fields.length === 0 ? <p className="muted">No tiers yet.</p> : null}
      {tiers.fields.map((field, i) => (
        <div className="limit-row" key={field.id}>
          <NumberField
            name={`tiers.${i}.upTo`}
            id={id(`tier${i}-up-to`)}
            label={`Tier ${i + 1} up to (requests)`}
            min={1}
            placeholder="Unlimited"
          />
          <TextField
            name={`tiers.${i}.unitPrice`}
            id={id(`tier${i}-price`)}
            label={`Tier ${i + 1} price per request`}
            inputMode="decimal"
          />
          <TextField
            name={`tiers.${i}.flatFee`}
            id={id(`tier${i}-fee`)}
            label={`Tier ${i + 1} flat fee`}
            inputMode="decimal"
            placeholder="0"
          />
          <button
            type="button"
            className="secondary"
            aria-label={`Remove tier ${i + 1}`}
            onClick={() => tiers.remove(i)}
          >
            Remove
          </button>
        </div>
      ))}
      <ListError path="tiers" />
      {tiers.fields.length < MAX_TIERS ? (
        <button type="button" className="secondary" onClick={() => tiers.append(NEW_TIER)}>
          Add tier
        </button>
      ) : null}
    </fieldset>
  );
}
