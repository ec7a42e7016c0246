'use client';

import { useFieldArray, useFormContext } from 'react-hook-form';
import { Button } from '~/components/ui/button';
import { NumberField, SelectField, TextField } from '../../../../../../../../components/forms/fields';
import type { UpstreamDraft } from './upstream-draft';

const BALANCING = [
  { value: 'round-robin', label: 'Weighted round robin' },
  { value: 'least-connections', label: 'Least connections' },
];

/** Extra targets besides the primary upstream URL, and how requests are spread over them. */
export function TargetsFieldset({ canWrite }: { canWrite: boolean }) {
  const { control } = useFormContext<UpstreamDraft>();
  const targets = useFieldArray({ control, name: 'targets' });
  return (
    <fieldset className="group">
      <legend>Extra targets</legend>
      {targets.fields.length === 0 ? <p className="muted">No extra targets.</p> : null}
      {targets.fields.map((field, i) => (
        <div className="limit-row" key={field.id}>
          <TextField
            name={`targets.${i}.url`}
            id={`target-${i}-url`}
            label={`Target ${i + 1} URL`}
            type="url"
          />
          <NumberField
            name={`targets.${i}.weight`}
            id={`target-${i}-weight`}
            label="Weight"
            min={0}
            max={1000}
          />
          {canWrite ? (
            <Button
              variant="secondary"
              className="mb-4"
              aria-label={`Remove target ${i + 1}`}
              onClick={() => targets.remove(i)}
            >
              Remove
            </Button>
          ) : null}
        </div>
      ))}
      {canWrite ? (
        <Button
          variant="secondary"
          className="mb-4"
          onClick={() => targets.append({ url: '', weight: '100' })}
        >
          Add target
        </Button>
      ) : null}
      <SelectField name="loadBalancing" id="load-balancing" label="Load balancing" options={BALANCING} />
    </fieldset>
  );
}
