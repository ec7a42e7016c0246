'use client';

import { ZApiCreate } from '@portcullis/core/schemas';
import { useMutation } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useEffect } from 'react';
import { FormProvider } from 'react-hook-form';
import { slugify } from '~/components/form';
import { applyServerErrors } from '~/components/forms/errors';
import { SelectField, TextAreaField, TextField } from '~/components/forms/fields';
import { FIX_FIELDS } from '~/components/forms/save-bar';
import { useDraftForm } from '~/components/forms/use-draft-form';
import { Button } from '~/components/ui/button';
import { FormMessage } from '~/components/ui/field';
import { formError, useTRPC } from '~/trpc/client';
import { KINDS, NEW_API, VISIBILITIES, withoutBlankDocument } from './new-api-draft';
import { OpenApiImport } from './openapi-import';

/** Creates an API and opens its page; the slug follows the name until it is edited. */
export function NewApiForm({ orgSlug }: { orgSlug: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const form = useDraftForm(ZApiCreate, NEW_API);
  const create = useMutation(
    trpc.api.create.mutationOptions({
      onSuccess: (api) => router.push(`/o/${orgSlug}/apis/${api.slug}`),
      onError: (error) => applyServerErrors(form.setError, error),
    }),
  );
  useEffect(() => {
    const watching = form.watch((values, { name }) => {
      if (name === 'name' && !form.getFieldState('slug').isDirty)
        form.setValue('slug', slugify(values.name ?? ''));
    });
    return () => watching.unsubscribe();
  }, [form]);
  const kind = form.watch('kind');
  const onSubmit = form.handleSubmit((input) => create.mutate({ orgSlug, ...withoutBlankDocument(input) }));
  const invalid = Object.keys(form.formState.errors).length > 0;

  return (
    <FormProvider {...form}>
      <form className="card narrow" onSubmit={onSubmit} noValidate>
        <h1>New API</h1>
        <TextField name="name" id="api-name" label="Name" required />
        <TextField name="slug" id="api-slug" label="Slug" required />
        <SelectField name="kind" id="api-kind" label="Kind" options={KINDS} />
        {kind === 'REST' || kind === 'MCP' ? (
          <TextField
            name="upstreamUrl"
            id="api-upstream"
            label={kind === 'MCP' ? 'Upstream MCP server URL' : 'Upstream URL'}
            type="url"
            required
            placeholder={kind === 'MCP' ? 'https://tools.example.com/mcp' : 'https://api.example.com'}
            hint={
              kind === 'MCP'
                ? 'Its Streamable HTTP endpoint. Choose the tools to let through on the MCP tab.'
                : undefined
            }
          />
        ) : null}
        <TextAreaField name="description" id="api-description" label="Description" spellCheck />
        <SelectField name="visibility" id="api-visibility" label="Visibility" options={VISIBILITIES} />
        {kind === 'REST' ? <OpenApiImport /> : null}
        <FormMessage message={formError(create.error) ?? (invalid ? FIX_FIELDS : null)} />
        <Button type="submit" disabled={create.isPending || create.isSuccess}>
          {create.isPending ? 'Creating…' : 'Create API'}
        </Button>
      </form>
    </FormProvider>
  );
}
