'use client';

import { useMutation, useQuery } from '@tanstack/react-query';
import { useParams, useRouter, useSearchParams } from 'next/navigation';
import { type FormEvent, Suspense, useState } from 'react';
import { OrgCrumb } from '~/components/org-crumb';
import { Button } from '~/components/ui/button';
import { Field, FormMessage } from '~/components/ui/field';
import { can } from '~/server/permissions';
import { fieldErrors, formError, useTRPC } from '~/trpc/client';
import { safeCallbackUrl } from '../../../../../(auth)/safe-callback';
import { readOnlyNote } from '../_components/role-note';

export default function NewAppPage() {
  return (
    <Suspense fallback={null}>
      <NewAppForm />
    </Suspense>
  );
}

function NewAppForm() {
  const { slug } = useParams<{ slug: string }>();
  const trpc = useTRPC();
  const router = useRouter();
  // Back to where the developer came from (e.g. the API they want to subscribe to), else the new app.
  const returnTo = useSearchParams().get('returnTo');
  const [name, setName] = useState('');
  const org = useQuery(trpc.org.get.queryOptions({ orgSlug: slug }));
  const role = org.data?.role;
  const note = readOnlyNote(role, 'app.write', 'the apps', 'create them');
  const create = useMutation(
    trpc.app.create.mutationOptions({
      onSuccess: (app) =>
        router.push(
          returnTo ? safeCallbackUrl(returnTo, `/o/${slug}/apps/${app.id}`) : `/o/${slug}/apps/${app.id}`,
        ),
    }),
  );
  const errors = fieldErrors(create.error);

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    create.mutate({ orgSlug: slug, name });
  }

  return (
    <>
      <OrgCrumb slug={slug} section={{ label: 'Apps', href: `/o/${slug}/apps` }} />
      <form className="card narrow" onSubmit={onSubmit} noValidate>
        <h1>New app</h1>
        <Field
          id="app-name"
          label="App name"
          required
          value={name}
          error={errors.name}
          onChange={(e) => setName(e.target.value)}
        />
        <FormMessage message={formError(create.error)} />
        {note ? (
          <p id="create-app-why" className="text-muted">
            {note}
          </p>
        ) : null}
        <Button
          type="submit"
          disabled={create.isPending || create.isSuccess || (role !== undefined && !can(role, 'app.write'))}
          aria-describedby={note ? 'create-app-why' : undefined}
        >
          {create.isPending ? 'Creating…' : 'Create app'}
        </Button>
      </form>
    </>
  );
}
