'use client';

import { useFormContext, useWatch } from 'react-hook-form';
import {
  NumberField,
  SelectField,
  TextAreaField,
  TextField,
} from '../../../../../../../../components/forms/fields';
import type { CredentialOption } from '../ai-routes';
import type { AiRoutesDraft } from './ai-draft';
import { ENTRIES_KEY, type GuardrailsPath } from './guardrails-draft';

const STAGES = [
  { value: 'input', label: 'Input (before the provider)' },
  { value: 'output', label: "Output (the model's answer)" },
  { value: 'both', label: 'Both' },
];
const ACTIONS = [
  { value: 'block', label: 'Block' },
  { value: 'redact', label: 'Redact' },
];
const FAIL_MODES = [
  { value: 'open', label: 'Fail open (let the call through, logged)' },
  { value: 'closed', label: 'Fail closed (refuse the call)' },
];
const ENTRIES = {
  pii: ['Detect', 'Comma-separated: email, phone, card, iban, secret'],
  deny: ['Words, phrases or topics', 'One per line; case-insensitive, whole words'],
  pattern: ['Regular expressions', "One per line; run on the gateway's linear-time engine"],
  moderation: ['Blocking categories', 'Comma-separated (e.g. violence, hate); empty: any flag blocks'],
} as const;

/** The id of a rule's control, unique per list: `guardrails-0-name`, `routes-1-guardrails-0-name`. */
export const ruleFieldId = (path: GuardrailsPath, index: number, field: string) =>
  `${path.replaceAll('.', '-')}-${index}-${field}`;

/** The fields of one guardrail rule (of the list at `path`) that its type uses. */
export function GuardrailRuleFields({
  path,
  index: i,
  credentials,
}: {
  path: GuardrailsPath;
  index: number;
  credentials: CredentialOption[];
}) {
  const { control } = useFormContext<AiRoutesDraft>();
  const type = useWatch({ control, name: `${path}.${i}.type` });
  const at = (field: string) => `${path}.${i}.${field}`;
  const id = (field: string) => ruleFieldId(path, i, field);
  const entries = type in ENTRIES ? ENTRIES[type as keyof typeof ENTRIES] : null;
  const entriesKey = ENTRIES_KEY[type];
  const staged = type !== 'max_input_tokens' && type !== 'json_schema';
  return (
    <>
      <div className="row">
        {staged ? <SelectField name={at('stage')} id={id('stage')} label="Checks" options={STAGES} /> : null}
        {type === 'pii' || type === 'deny' || type === 'pattern' ? (
          <SelectField name={at('action')} id={id('action')} label="When it matches" options={ACTIONS} />
        ) : null}
        {type === 'max_input_tokens' ? (
          <NumberField name={at('limit')} id={id('limit')} label="Maximum input tokens" />
        ) : null}
      </div>
      {type === 'moderation' ? (
        <div className="row">
          <SelectField
            name={at('credentialId')}
            id={id('credential')}
            label="Credential (OpenAI or OpenAI-compatible)"
            options={[
              { value: '', label: 'Choose a credential' },
              ...credentials.map((c) => ({ value: c.id, label: `${c.name} (${c.provider})` })),
            ]}
          />
          <TextField name={at('model')} id={id('model')} label="Moderation model" />
          <SelectField
            name={at('failMode')}
            id={id('fail-mode')}
            label="If moderation fails"
            options={FAIL_MODES}
          />
          <NumberField name={at('timeoutMs')} id={id('timeout')} label="Moderation timeout (ms)" />
        </div>
      ) : null}
      {entries && entriesKey ? (
        <TextAreaField
          name={at('entries')}
          id={id('entries')}
          label={entries[0]}
          hint={entries[1]}
          errorPath={at(entriesKey)}
        />
      ) : null}
      {type === 'json_schema' ? (
        <TextAreaField
          name={at('schema')}
          id={id('schema')}
          label="JSON Schema the answer must satisfy"
          hint="Streamed answers are checked when they end: the end is held back until the answer passes."
          rows={6}
        />
      ) : null}
    </>
  );
}
