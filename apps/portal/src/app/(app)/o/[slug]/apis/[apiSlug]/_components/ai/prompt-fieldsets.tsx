'use client';

import { useFormContext, useWatch } from 'react-hook-form';
import { NumberField, TextAreaField, TextField } from '../../../../../../../../components/forms/fields';
import type { PromptDraft } from './ai-draft';

/** The system and user templates, the route the prompt uses, and sampling. */
export function TemplatesFieldset() {
  const { control } = useFormContext<PromptDraft>();
  const routes = useWatch({ control, name: 'routes' });
  return (
    <fieldset className="group">
      <legend>Templates</legend>
      <TextAreaField name="system" id="prompt-system" label="System template" rows={3} />
      <TextAreaField
        name="user"
        id="prompt-user"
        label="User template"
        rows={4}
        placeholder="Summarise this text: {{text}}"
      />
      <div className="row">
        <TextField
          name="model"
          id="prompt-model"
          label="Model (one of the routes below)"
          list="prompt-route-names"
        />
        <datalist id="prompt-route-names">
          {routes.map((r, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: route names may repeat while being typed
            <option key={i} value={r.name} />
          ))}
        </datalist>
        <NumberField
          name="temperature"
          id="prompt-temperature"
          label="Temperature (optional)"
          step="0.1"
          inputMode="decimal"
        />
        <NumberField name="maxTokens" id="prompt-max-tokens" label="Max tokens (optional)" />
      </div>
    </fieldset>
  );
}

/** JSON Schemas of the request body and (optionally) the model's answer. */
export function SchemasFieldset() {
  return (
    <fieldset className="group">
      <legend>Schemas</legend>
      <TextAreaField
        name="inputSchema"
        id="prompt-input-schema"
        label="Input JSON Schema (the request body)"
        rows={8}
        className="code-input"
      />
      <TextAreaField
        name="outputSchema"
        id="prompt-output-schema"
        label="Output JSON Schema (optional: the answer must match it)"
        rows={6}
        className="code-input"
      />
    </fieldset>
  );
}
