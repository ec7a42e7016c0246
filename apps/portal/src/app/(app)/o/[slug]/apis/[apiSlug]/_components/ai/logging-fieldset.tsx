'use client';

import { useFormContext, useWatch } from 'react-hook-form';
import { CheckboxField, TextAreaField } from '../../../../../../../../components/forms/fields';
import type { AiRoutesDraft } from './ai-draft';

/** Whether call bodies are logged, and what is redacted from them. */
export function LoggingFieldset() {
  const { control } = useFormContext<AiRoutesDraft>();
  const logBodies = useWatch({ control, name: 'logging.logBodies' });
  return (
    <fieldset className="group">
      <legend>Call log</legend>
      <CheckboxField
        name="logging.logBodies"
        id="log-bodies"
        label="Store prompt and response bodies in the call log"
      />
      <TextAreaField
        name="logging.redact"
        id="log-redact"
        label="Redaction patterns"
        hint="One regular expression per line; matches are stored as [REDACTED]."
        errorPath="logging"
        readOnly={!logBodies}
      />
    </fieldset>
  );
}
