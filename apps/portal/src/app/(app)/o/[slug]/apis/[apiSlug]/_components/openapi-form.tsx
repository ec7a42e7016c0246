'use client';

import { useMutation } from '@tanstack/react-query';
import Link from 'next/link';
import { type ChangeEvent, type FormEvent, useState } from 'react';
import { SavedNote, TextAreaField } from '../../../../../../../components/config-fields';
import { FormError } from '../../../../../../../components/form';
import { fieldErrors, formError, useTRPC } from '../../../../../../../trpc/client';

const MAX_BYTES = 1_000_000;

/**
 * Paste or upload the API's OpenAPI 3.0/3.1 document, JSON or YAML; the server checks it, reports
 * syntax errors by line and stores it as JSON (which is what this form shows back).
 */
export function OpenApiForm({
  orgSlug,
  apiId,
  apiSlug,
  initial,
  canWrite,
  onSaved,
}: {
  orgSlug: string;
  apiId: string;
  apiSlug: string;
  initial: string | null;
  canWrite: boolean;
  onSaved: () => Promise<void>;
}) {
  const trpc = useTRPC();
  const [text, setText] = useState(initial ?? '');
  const [saved, setSaved] = useState<string | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const save = useMutation(
    trpc.policy.setOpenApiSpec.mutationOptions({
      onSuccess: async (result) => {
        setSaved(
          result.summary
            ? `Document saved (OpenAPI ${result.summary.openapi}, ${result.summary.paths} paths)`
            : 'Document removed',
        );
        await onSaved();
      },
    }),
  );
  const errors = fieldErrors(save.error);

  async function onFile(event: ChangeEvent<HTMLInputElement>) {
    setFileError(null);
    const file = event.target.files?.[0];
    if (!file) return;
    if (file.size > MAX_BYTES) {
      setFileError('The file is larger than 1 MB');
      return;
    }
    setText(await file.text());
    setSaved(null);
  }

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    save.mutate({ orgSlug, apiId, document: text.trim() === '' ? null : text });
  }

  return (
    <form className="card" onSubmit={onSubmit} noValidate aria-labelledby="openapi-title">
      <h2 id="openapi-title">OpenAPI document</h2>
      <p className="muted">
        OpenAPI 3.0 or 3.1, in JSON or YAML. It is the API reference developers read and try in the{' '}
        <Link href={`/catalog/${orgSlug}/${apiSlug}`}>catalog</Link>, and what requests are validated against
        when that policy is on. A saved document is shown back as JSON.
      </p>
      {canWrite ? (
        <div className="field">
          <label htmlFor="openapi-file">Upload a file</label>
          <input
            id="openapi-file"
            type="file"
            accept="application/json,application/yaml,text/yaml,.json,.yaml,.yml"
            onChange={onFile}
            aria-invalid={fileError ? true : undefined}
            aria-describedby={fileError ? 'openapi-file-error' : undefined}
          />
          {fileError ? (
            <p id="openapi-file-error" className="field-error">
              {fileError}
            </p>
          ) : null}
        </div>
      ) : null}
      <TextAreaField
        id="openapi-document"
        label="Document (JSON or YAML)"
        className="code-input"
        rows={18}
        placeholder={'openapi: 3.1.0\ninfo:\n  title: …\n  version: "1.0"\npaths:\n  /things: …'}
        value={text}
        disabled={!canWrite}
        error={errors.document}
        hint={canWrite ? 'Leave empty and save to remove the document.' : undefined}
        onChange={(e) => {
          setText(e.target.value);
          setSaved(null);
        }}
      />
      <FormError message={formError(save.error)} />
      {canWrite ? (
        <div className="form-actions">
          <button type="submit" disabled={save.isPending}>
            {save.isPending ? 'Saving…' : 'Save document'}
          </button>
          <SavedNote show={saved !== null && !save.isPending}>{saved}</SavedNote>
        </div>
      ) : null}
    </form>
  );
}
