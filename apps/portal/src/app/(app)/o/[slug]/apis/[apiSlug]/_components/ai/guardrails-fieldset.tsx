'use client';

import { useFieldArray, useFormContext, useWatch } from 'react-hook-form';
import { Button } from '~/components/ui/button';
import { ListError, SelectField, TextField } from '../../../../../../../../components/forms/fields';
import type { CredentialOption } from '../ai-routes';
import type { AiRoutesDraft } from './ai-draft';
import { GuardrailRuleFields } from './guardrail-rule-fields';
import { newGuardrail, RULE_TYPES } from './guardrails-draft';

function RuleLegend({ index }: { index: number }) {
  const { control } = useFormContext<AiRoutesDraft>();
  const name = useWatch({ control, name: `guardrails.${index}.name` });
  return <legend>{name || `Rule ${index + 1}`}</legend>;
}

/**
 * The API's guardrails: rules on what callers send and what models answer. A block answers 400 (input)
 * or 422 (output) with code guardrail_blocked and the rule's name; every decision is in the call log.
 */
export function GuardrailsFieldset({
  credentials,
  canWrite,
}: {
  credentials: CredentialOption[];
  canWrite: boolean;
}) {
  const { control } = useFormContext<AiRoutesDraft>();
  const rules = useFieldArray({ control, name: 'guardrails' });
  return (
    <fieldset className="group" aria-describedby="guardrails-hint">
      <legend>Guardrails</legend>
      <p className="hint" id="guardrails-hint">
        Input rules run before the provider is called; output rules check answers, streams as they arrive. The
        name is what a refused caller is told.
      </p>
      {rules.fields.length === 0 ? <p className="hint">No guardrails: calls pass unchecked.</p> : null}
      {rules.fields.map((field, i) => (
        <fieldset className="group" key={field.id}>
          <RuleLegend index={i} />
          <div className="row">
            <TextField name={`guardrails.${i}.name`} id={`guardrail-${i}-name`} label="Rule name" />
            <SelectField
              name={`guardrails.${i}.type`}
              id={`guardrail-${i}-type`}
              label="Type"
              options={RULE_TYPES}
            />
          </div>
          <GuardrailRuleFields index={i} credentials={credentials} />
          {canWrite ? (
            <Button variant="secondary" className="mb-4" onClick={() => rules.remove(i)}>
              Remove rule
            </Button>
          ) : null}
        </fieldset>
      ))}
      <ListError path="guardrails" />
      {canWrite ? (
        <Button
          variant="secondary"
          className="mb-4"
          onClick={() => rules.append(newGuardrail(credentials[0]?.id))}
        >
          Add rule
        </Button>
      ) : null}
    </fieldset>
  );
}
