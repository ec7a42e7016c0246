'use client';

import { useFormContext, useWatch } from 'react-hook-form';
import { RadioField } from '../../../../../../../../components/forms/fields';
import type { CredentialOption } from '../ai-routes';
import type { AiRoutesDraft } from './ai-draft';
import { GuardrailRules } from './guardrail-rules';

/**
 * Whose guardrails a model route runs: the API's (the default; the route's document has no `guardrails`)
 * or its own list, which replaces the API's for calls to this route. An own empty list means none.
 */
export function RouteGuardrailsFieldset({
  index: i,
  routeName,
  credentials,
  canWrite,
}: {
  index: number;
  routeName: string;
  credentials: CredentialOption[];
  canWrite: boolean;
}) {
  const { control } = useFormContext<AiRoutesDraft>();
  const source = useWatch({ control, name: `routes.${i}.guardrailsSource` });
  const scope = `route ${routeName || i + 1}`;
  const hintId = `route-${i}-guardrails-hint`;
  return (
    <fieldset className="group" aria-describedby={hintId}>
      <legend>Guardrails of {scope}</legend>
      <RadioField
        name={`routes.${i}.guardrailsSource`}
        id={`route-${i}-guardrails-api`}
        value="api"
        label="Use the API's guardrails"
      />
      <RadioField
        name={`routes.${i}.guardrailsSource`}
        id={`route-${i}-guardrails-route`}
        value="route"
        label="Own guardrails for this route"
      />
      <p className="hint" id={hintId}>
        {source === 'route'
          ? "These rules replace the API's guardrails for calls to this route."
          : "Calls to this route run the API's guardrails."}
      </p>
      {source === 'route' ? (
        <GuardrailRules
          path={`routes.${i}.guardrails`}
          scope={scope}
          emptyText="No rules: calls to this route pass unchecked, whatever the API's guardrails."
          credentials={credentials}
          canWrite={canWrite}
        />
      ) : null}
    </fieldset>
  );
}
