'use client';

import { useMutation } from '@tanstack/react-query';
import Link from 'next/link';
import { type FormEvent, useState } from 'react';
import { OpenApiFileInput } from '~/components/openapi-file-input';
import { Button } from '~/components/ui/button';
import { FormMessage } from '~/components/ui/field';
import { SavedNote, TextAreaField } from '../../../../../../../components/config-fields';
import { fieldErrors, formError, useTRPC } from '../../../../../../../trpc/client';

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
        <OpenApiFileInput
          id="openapi-file"
          onText={(document) => {
            setText(document);
            setSaved(null);
          }}
        />
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
      <FormMessage message={formError(save.error)} />
      {canWrite ? (
        <div className="form-actions">
          <Button type="submit" disabled={save.isPending}>
            {save.isPending ? 'Saving…' : 'Save document'}
          </Button>
          <SavedNote show={saved !== null && !save.isPending}>{saved}</SavedNote>
        </div>
      ) : null}
    </form>
  );
}
