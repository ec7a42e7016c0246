'use client';

import { useMutation } from '@tanstack/react-query';
import { useParams, useRouter } from 'next/navigation';
import { type FormEvent, useState } from 'react';
import { Field, FormError, slugify } from '../../../../../../components/form';
import { OrgCrumb } from '../../../../../../components/org-crumb';
import { fieldErrors, formError, useTRPC } from '../../../../../../trpc/client';
import { OpenApiImport } from './_components/openapi-import';

type Visibility = 'PRIVATE' | 'ORG' | 'PUBLIC';
type Kind = 'REST' | 'AI' | 'PROMPT';

export default function NewApiPage() {
  const { slug } = useParams<{ slug: string }>();
  const trpc = useTRPC();
  const router = useRouter();
  const [name, setName] = useState('');
  const [apiSlug, setApiSlug] = useState('');
  const [slugEdited, setSlugEdited] = useState(false);
  const [upstreamUrl, setUpstreamUrl] = useState('');
  const [description, setDescription] = useState('');
  const [visibility, setVisibility] = useState<Visibility>('PUBLIC');
  const [kind, setKind] = useState<Kind>('REST');
  const [openapiDocument, setOpenapiDocument] = useState('');
  const create = useMutation(
    trpc.api.create.mutationOptions({ onSuccess: (api) => router.push(`/o/${slug}/apis/${api.slug}`) }),
  );
  const errors = fieldErrors(create.error);

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    create.mutate({
      orgSlug: slug,
      name,
      slug: apiSlug,
      kind,
      upstreamUrl,
      description,
      visibility,
      openapiDocument: kind === 'REST' && openapiDocument.trim() !== '' ? openapiDocument : undefined,
    });
  }

  return (
    <>
      <OrgCrumb slug={slug} section={{ label: 'APIs', href: `/o/${slug}/apis` }} />
      <form className="card narrow" onSubmit={onSubmit} noValidate>
        <h1>New API</h1>
        <Field
          id="api-name"
          label="Name"
          required
          value={name}
          error={errors.name}
          onChange={(e) => {
            setName(e.target.value);
            if (!slugEdited) setApiSlug(slugify(e.target.value));
          }}
        />
        <Field
          id="api-slug"
          label="Slug"
          required
          value={apiSlug}
          error={errors.slug}
          onChange={(e) => {
            setSlugEdited(true);
            setApiSlug(e.target.value);
          }}
        />
        <div className="field">
          <label htmlFor="api-kind">Kind</label>
          <select id="api-kind" value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
            <option value="REST">REST API (proxied to an upstream)</option>
            <option value="AI">AI gateway (OpenAI/Anthropic-compatible, over your model routes)</option>
            <option value="PROMPT">Prompt API (a prompt called as REST)</option>
          </select>
          {errors.kind ? <p className="field-error">{errors.kind}</p> : null}
        </div>
        {kind === 'REST' ? (
          <Field
            id="api-upstream"
            label="Upstream URL"
            type="url"
            required
            placeholder="https://api.example.com"
            value={upstreamUrl}
            error={errors.upstreamUrl}
            onChange={(e) => setUpstreamUrl(e.target.value)}
          />
        ) : null}
        <div className="field">
          <label htmlFor="api-description">Description</label>
          <textarea
            id="api-description"
            rows={3}
            value={description}
            onChange={(e) => setDescription(e.target.value)}
            aria-invalid={errors.description ? true : undefined}
          />
          {errors.description ? <p className="field-error">{errors.description}</p> : null}
        </div>
        <div className="field">
          <label htmlFor="api-visibility">Visibility</label>
          <select
            id="api-visibility"
            value={visibility}
            onChange={(e) => setVisibility(e.target.value as Visibility)}
          >
            <option value="PRIVATE">PRIVATE</option>
            <option value="ORG">ORG</option>
            <option value="PUBLIC">PUBLIC</option>
          </select>
          {errors.visibility ? <p className="field-error">{errors.visibility}</p> : null}
        </div>
        {kind === 'REST' ? (
          <OpenApiImport
            value={openapiDocument}
            error={errors.openapiDocument}
            onChange={setOpenapiDocument}
          />
        ) : null}
        <FormError message={formError(create.error)} />
        <button type="submit" disabled={create.isPending || create.isSuccess}>
          {create.isPending ? 'Creating…' : 'Create API'}
        </button>
      </form>
    </>
  );
}
