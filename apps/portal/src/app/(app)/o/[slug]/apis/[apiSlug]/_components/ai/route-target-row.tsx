'use client';

import { Button } from '~/components/ui/button';
import { NumberField, SelectField, TextField } from '../../../../../../../../components/forms/fields';

/** One target of a model route: a credential's provider model, its weight and (usage-based) its limits. */
export function RouteTargetRow({
  route: i,
  index: k,
  options,
  usageBased,
  canWrite,
  onRemove,
}: {
  route: number;
  index: number;
  options: { value: string; label: string }[];
  usageBased: boolean;
  canWrite: boolean;
  onRemove: () => void;
}) {
  const field = (name: string) => `routes.${i}.targets.${k}.${name}`;
  const id = (name: string) => `route-${i}-target-${k}-${name}`;
  return (
    <div className="limit-row">
      <SelectField
        name={field('credentialId')}
        id={id('credential')}
        label={`Target ${k + 1} credential`}
        options={options}
      />
      <TextField name={field('model')} id={id('model')} label="Provider model" placeholder="gpt-4o-mini" />
      <NumberField
        name={field('weight')}
        id={id('weight')}
        label="Weight"
        hint={k === 0 ? '0 = fallback only' : undefined}
      />
      {usageBased ? (
        <>
          <NumberField
            name={field('rpm')}
            id={id('rpm')}
            label="Requests / min"
            hint={k === 0 ? "The provider's limit; empty = none" : undefined}
          />
          <NumberField name={field('tpm')} id={id('tpm')} label="Tokens / min" />
        </>
      ) : null}
      {canWrite ? (
        <Button
          variant="secondary"
          className="mb-4"
          aria-label={`Remove target ${k + 1} of route ${i + 1}`}
          onClick={onRemove}
        >
          Remove
        </Button>
      ) : null}
    </div>
  );
}
