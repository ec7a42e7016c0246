'use client';

import { useFieldArray, useFormContext, useWatch } from 'react-hook-form';
import { Button } from '~/components/ui/button';
import { ListError, SelectField, TextField } from '../../../../../../../../components/forms/fields';
import type { CredentialOption } from '../ai-routes';
import type { AiRoutesDraft } from './ai-draft';
import { GuardrailRuleFields, ruleFieldId } from './guardrail-rule-fields';
import { type GuardrailsPath, newGuardrail, RULE_TYPES } from './guardrails-draft';

function RuleLegend({ path, index }: { path: GuardrailsPath; index: number }) {
  const { control } = useFormContext<AiRoutesDraft>();
  const name = useWatch({ control, name: `${path}.${index}.name` });
  return <legend>{name || `Rule ${index + 1}`}</legend>;
}

/**
 * A list of guardrail rules at `path` of the form: the API's (or the prompt's), or one model route's own.
 * `scope` (e.g. "route fast") names the list in its buttons when several are on the page.
 */
export function GuardrailRules({
  path,
  scope,
  emptyText,
  credentials,
  canWrite,
}: {
  path: GuardrailsPath;
  scope?: string;
  emptyText: string;
  credentials: CredentialOption[];
  canWrite: boolean;
}) {
  const { control } = useFormContext<AiRoutesDraft>();
  const rules = useFieldArray({ control, name: path });
  return (
    <>
      {rules.fields.length === 0 ? <p className="hint">{emptyText}</p> : null}
      {rules.fields.map((field, i) => (
        <fieldset className="group" key={field.id}>
          <RuleLegend path={path} index={i} />
          <div className="row">
            <TextField name={`${path}.${i}.name`} id={ruleFieldId(path, i, 'name')} label="Rule name" />
            <SelectField
              name={`${path}.${i}.type`}
              id={ruleFieldId(path, i, 'type')}
              label="Type"
              options={RULE_TYPES}
            />
          </div>
          <GuardrailRuleFields path={path} index={i} credentials={credentials} />
          {canWrite ? (
            <Button
              variant="secondary"
              className="mb-4"
              aria-label={scope ? `Remove rule ${i + 1} of ${scope}` : undefined}
              onClick={() => rules.remove(i)}
            >
              Remove rule
            </Button>
          ) : null}
        </fieldset>
      ))}
      <ListError path={path} />
      {canWrite ? (
        <Button
          variant="secondary"
          className="mb-4"
          aria-label={scope ? `Add rule to ${scope}` : undefined}
          onClick={() => rules.append(newGuardrail(credentials[0]?.id))}
        >
          Add rule
        </Button>
      ) : null}
    </>
  );
}
