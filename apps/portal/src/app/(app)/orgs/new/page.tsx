'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { type FormEvent, useState } from 'react';
import { slugify } from '~/components/form';
import { Field, FormMessage } from '~/components/ui/field';
import { fieldErrors, formError, useTRPC } from '../../../../trpc/client';

export default function NewOrgPage() {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [slug, setSlug] = useState('');
  const [slugEdited, setSlugEdited] = useState(false);
  const create = useMutation(
    trpc.org.create.mutationOptions({
      onSuccess: async (org) => {
        await queryClient.invalidateQueries({ queryKey: trpc.org.listMine.queryKey() });
        router.push(`/o/${org.slug}`);
      },
    }),
  );
  const errors = fieldErrors(create.error);

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    create.mutate({ name, slug });
  }

  return (
    <form className="card narrow" onSubmit={onSubmit} noValidate>
      <h1>New organization</h1>
      <Field
        id="org-name"
        label="Organization name"
        required
        value={name}
        error={errors.name}
        onChange={(e) => {
          setName(e.target.value);
          if (!slugEdited) setSlug(slugify(e.target.value));
        }}
      />
      <Field
        id="org-slug"
        label="Slug"
        required
        value={slug}
        error={errors.slug}
        hint="Lowercase letters, digits and dashes; used in URLs and gateway paths."
        onChange={(e) => {
          setSlugEdited(true);
          setSlug(e.target.value);
        }}
      />
      <FormMessage message={formError(create.error)} />
      <button type="submit" disabled={create.isPending || create.isSuccess}>
        {create.isPending ? 'Creating…' : 'Create organization'}
      </button>
    </form>
  );
}
