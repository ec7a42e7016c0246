'use client';

import { useFieldArray, useFormContext, useWatch } from 'react-hook-form';
import { Button } from '~/components/ui/button';
import { ListError, NumberField, TextField } from '../../../../../../../../components/forms/fields';
import type { CredentialOption } from '../ai-routes';
import { type AiRoutesDraft, newTarget } from './ai-draft';
import { RouteGuardrailsFieldset } from './route-guardrails-fieldset';
import { RoutePolicyFields } from './route-policy-fields';
import { RouteTargetRow } from './route-target-row';

/**
 * One model route: the name callers use, its limits, the provider models it sends to and (AI APIs)
 * whose guardrails it runs.
 */
export function RouteFieldset({
  index: i,
  credentials,
  cacheable,
  ownGuardrails,
  canWrite,
  onRemove,
}: {
  index: number;
  credentials: CredentialOption[];
  cacheable: boolean;
  ownGuardrails: boolean;
  canWrite: boolean;
  onRemove: () => void;
}) {
  const { control } = useFormContext<AiRoutesDraft>();
  const name = useWatch({ control, name: `routes.${i}.name` });
  const strategy = useWatch({ control, name: `routes.${i}.strategy` });
  const targets = useFieldArray({ control, name: `routes.${i}.targets` });
  const options = [
    { value: '', label: credentials.length === 0 ? 'No credentials yet' : 'Choose a credential' },
    ...credentials.map((c) => ({ value: c.id, label: `${c.name} (${c.provider})` })),
  ];
  const route = (field: string) => `routes.${i}.${field}`;
  return (
    <fieldset className="group">
      <legend>{name || `Route ${i + 1}`}</legend>
      <div className="row">
        <TextField
          name={route('name')}
          id={`route-${i}-name`}
          label="Model name callers use"
          placeholder="gpt-4o-mini or an alias such as fast"
        />
        <NumberField name={route('timeoutMs')} id={`route-${i}-timeout`} label="Timeout per attempt (ms)" />
        <NumberField
          name={route('maxAttempts')}
          id={`route-${i}-attempts`}
          label="Attempts (with fallback)"
        />
        {cacheable ? (
          <NumberField
            name={route('cacheTtlSeconds')}
            id={`route-${i}-cache`}
            label="Cache TTL (s, 0 = off)"
          />
        ) : null}
      </div>
      <RoutePolicyFields index={i} strategy={strategy} />
      {targets.fields.map((field, k) => (
        <RouteTargetRow
          key={field.id}
          route={i}
          index={k}
          options={options}
          usageBased={strategy === 'usage-based'}
          canWrite={canWrite}
          onRemove={() => targets.remove(k)}
        />
      ))}
      <ListError path={route('targets')} />
      {ownGuardrails ? (
        <RouteGuardrailsFieldset index={i} routeName={name} credentials={credentials} canWrite={canWrite} />
      ) : null}
      {canWrite ? (
        <div className="actions">
          <Button variant="secondary" onClick={() => targets.append(newTarget(credentials[0]?.id))}>
            Add target
          </Button>
          <Button variant="secondary" onClick={onRemove}>
            Remove route
          </Button>
        </div>
      ) : null}
    </fieldset>
  );
}
