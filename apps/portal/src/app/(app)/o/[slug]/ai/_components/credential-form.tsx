'use client';

import { useQuery } from '@tanstack/react-query';
import { errorFor, SavedNote, SelectField, TextAreaField } from '~/components/config-fields';
import { Badge } from '~/components/ui/badge';
import { Button } from '~/components/ui/button';
import { Field, FormMessage } from '~/components/ui/field';
import { useTRPC } from '~/trpc/client';
import { type CredentialRow, credentialFieldText, REGION_ERROR } from './credential-draft';
import { CredentialSecretField } from './credential-secret-field';
import { useCredentialForm } from './use-credential-form';

/** Add (no `row`) or edit one credential. The secret field is write-only: blank on edit keeps the stored one. */
export function CredentialForm({
  orgSlug,
  row,
  onDone,
}: {
  orgSlug: string;
  row?: CredentialRow;
  onDone: () => Promise<void>;
}) {
  const trpc = useTRPC();
  const providers = useQuery(trpc.ai.providers.queryOptions({ orgSlug }));
  const { draft, set, saved, pending, errors, error, submit } = useCredentialForm(orgSlug, row, onDone);
  const info = providers.data?.find((p) => p.id === draft.provider);
  const text = credentialFieldText(info, row !== undefined);
  const prefix = row ? `cred-${row.id}` : 'cred-new';
  const { [REGION_ERROR]: regionError, ...otherErrors } = errors;
  return (
    <form
      className="card"
      noValidate
      aria-label={row ? `Edit ${row.name}` : 'Add a credential'}
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
    >
      {row ? null : <h3>Add a credential</h3>}
      <div className="grid gap-x-4 sm:grid-cols-2">
        <Field
          id={`${prefix}-name`}
          label="Name"
          value={draft.name}
          error={errors.name}
          onChange={(e) => set('name')(e.target.value)}
        />
        {row ? (
          <p className="mb-4 text-sm font-semibold">
            Provider <Badge tone="info">{row.provider}</Badge>
          </p>
        ) : (
          <SelectField
            id={`${prefix}-provider`}
            label="Provider"
            value={draft.provider}
            error={errors.provider}
            options={(providers.data ?? []).map((p) => ({ value: p.id, label: p.name }))}
            onChange={(e) => set('provider')(e.target.value)}
          />
        )}
        <Field
          id={`${prefix}-base-url`}
          label={info?.needsBaseUrl ? 'Endpoint URL' : 'Endpoint URL (optional)'}
          type="url"
          placeholder={text.baseUrlPlaceholder}
          value={draft.baseUrl}
          error={errors.baseUrl}
          onChange={(e) => set('baseUrl')(e.target.value)}
        />
        {info?.needsApiVersion || draft.apiVersion ? (
          <Field
            id={`${prefix}-api-version`}
            label={text.apiVersionLabel}
            placeholder={text.apiVersionPlaceholder}
            hint={text.apiVersionHint}
            value={draft.apiVersion}
            error={errors.apiVersion}
            onChange={(e) => set('apiVersion')(e.target.value)}
          />
        ) : null}
        {draft.provider === 'bedrock' ? (
          <Field
            id={`${prefix}-region`}
            label="AWS region (e.g. us-east-1)"
            value={draft.region}
            error={regionError}
            onChange={(e) => set('region')(e.target.value)}
          />
        ) : null}
      </div>
      <CredentialSecretField
        id={`${prefix}-secret`}
        label={text.secretLabel}
        hint={text.secretHint}
        multiline={text.secretMultiline}
        value={draft.secret}
        error={errors.secret}
        onChange={set('secret')}
      />
      <TextAreaField
        id={`${prefix}-headers`}
        label="Extra headers (optional)"
        hint="One per line: Name: value (e.g. OpenAI-Organization: org-…)"
        rows={2}
        value={draft.headers}
        error={errorFor(otherErrors, 'headers')}
        onChange={(e) => set('headers')(e.target.value)}
      />
      <FormMessage message={error} />
      <div className="form-actions">
        <Button type="submit" disabled={pending}>
          {pending ? 'Saving…' : row ? 'Save credential' : 'Add credential'}
        </Button>
        <SavedNote show={saved}>{row ? 'Saved' : 'Added'}</SavedNote>
      </div>
    </form>
  );
}
