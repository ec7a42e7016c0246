'use client';

import type { LimitScope } from '@portcullis/core/policies';
import { useFieldArray, useFormContext } from 'react-hook-form';
import { Button } from '~/components/ui/button';
import { ListError, NumberField, SelectField } from '../../../../../../../../components/forms/fields';
import { NEW_WINDOW, type PlanLimitsDraft } from './plan-draft';

export const SCOPES: ReadonlyArray<{ value: LimitScope; label: string }> = [
  { value: 'subscription', label: 'per subscription' },
  { value: 'app', label: 'per app' },
  { value: 'key', label: 'per key' },
  { value: 'ip', label: 'per client IP' },
];

const MAX_WINDOWS = 10;

/** Rate windows enforced besides the plan's primary limit. */
export function WindowsFieldset({ idPrefix }: { idPrefix: string }) {
  const { control } = useFormContext<PlanLimitsDraft>();
  const windows = useFieldArray({ control, name: 'limits' });
  const id = (name: string) => `${idPrefix}-${name}`;
  return (
    <fieldset className="group">
      <legend>Extra windows</legend>
      {windows.fields.length === 0 ? <p className="muted">No extra windows.</p> : null}
      {windows.fields.map((field, i) => (
        <div className="limit-row" key={field.id}>
          <NumberField
            name={`limits.${i}.limit`}
            id={id(`w${i}-limit`)}
            label={`Window ${i + 1} limit`}
            min={1}
          />
          <NumberField
            name={`limits.${i}.windowSeconds`}
            id={id(`w${i}-seconds`)}
            label={`Window ${i + 1} seconds`}
            min={1}
          />
          <SelectField
            name={`limits.${i}.scope`}
            id={id(`w${i}-scope`)}
            label={`Window ${i + 1} scope`}
            options={SCOPES}
          />
          <Button
            variant="secondary"
            className="mb-4"
            aria-label={`Remove window ${i + 1}`}
            onClick={() => windows.remove(i)}
          >
            Remove
          </Button>
        </div>
      ))}
      <ListError path="limits" />
      {windows.fields.length < MAX_WINDOWS ? (
        <Button variant="secondary" className="mb-4" onClick={() => windows.append(NEW_WINDOW)}>
          Add window
        </Button>
      ) : null}
    </fieldset>
  );
}
