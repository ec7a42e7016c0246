'use client';

import type { CredentialOption } from '../ai-routes';
import { GuardrailRules } from './guardrail-rules';

/**
 * The API's guardrails: rules on what callers send and what models answer. A block answers 400 (input)
 * or 422 (output) with code guardrail_blocked and the rule's name; every decision is in the call log.
 */
export function GuardrailsFieldset({
  credentials,
  canWrite,
  routesMayReplace = false,
}: {
  credentials: CredentialOption[];
  canWrite: boolean;
  /** model routes may run their own rules instead (AI APIs; a prompt's rules cover all its calls) */
  routesMayReplace?: boolean;
}) {
  return (
    <fieldset className="group" aria-describedby="guardrails-hint">
      <legend>Guardrails</legend>
      <p className="hint" id="guardrails-hint">
        Input rules run before the provider is called; output rules check answers, streams as they arrive. The
        name is what a refused caller is told.
        {routesMayReplace ? ' A model route set to its own guardrails runs those instead.' : null}
      </p>
      <GuardrailRules
        path="guardrails"
        emptyText="No guardrails: calls pass unchecked."
        credentials={credentials}
        canWrite={canWrite}
      />
    </fieldset>
  );
}
