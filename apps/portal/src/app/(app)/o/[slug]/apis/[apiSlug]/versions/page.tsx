'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { type FormEvent, useState } from 'react';
import { ChangelogList } from '~/components/changelog-list';
import { CheckboxField, TextAreaField } from '../../../../../../../components/config-fields';
import { ErrorState, Field, FormError, Loading } from '../../../../../../../components/form';
import { fieldErrors, formError, useTRPC } from '../../../../../../../trpc/client';
import { ApiConfigFrame, useApiConfig } from '../_components/config-page';

function PublishVersion({
  orgSlug,
  apiId,
  onDone,
}: {
  orgSlug: string;
  apiId: string;
  onDone: () => Promise<void>;
}) {
  const trpc = useTRPC();
  const [version, setVersion] = useState('');
  const [notes, setNotes] = useState('');
  const publish = useMutation(
    trpc.api.publishVersion.mutationOptions({
      onSuccess: async () => {
        setVersion('');
        setNotes('');
        await onDone();
      },
    }),
  );
  const errors = fieldErrors(publish.error);
  function onSubmit(event: FormEvent) {
    event.preventDefault();
    publish.mutate({ orgSlug, apiId, version, notes });
  }
  return (
    <form onSubmit={onSubmit} noValidate aria-labelledby="publish-version-title">
      <h3 id="publish-version-title">Publish a new version</h3>
      <p className="muted">
        Keeps today&apos;s OpenAPI document under a new version string, compares it with the previous version
        and writes a changelog entry (flagged breaking when the diff finds breaking changes; subscribers are
        then told).
      </p>
      <Field
        id="new-version"
        label="Version"
        placeholder="v2"
        value={version}
        error={errors.version}
        onChange={(e) => setVersion(e.target.value)}
      />
      <TextAreaField
        id="version-notes"
        label="Release notes (optional: empty lists the changes found)"
        value={notes}
        error={errors.notes}
        onChange={(e) => setNotes(e.target.value)}
      />
      <FormError message={formError(publish.error)} />
      <button type="submit" disabled={publish.isPending}>
        {publish.isPending ? 'Publishing…' : 'Publish version'}
      </button>
      {publish.data ? (
        <p role="status">
          Published {publish.data.version}: {publish.data.diff.breaking} breaking,{' '}
          {publish.data.diff.nonBreaking} other change{publish.data.diff.nonBreaking === 1 ? '' : 's'}.
        </p>
      ) : null}
    </form>
  );
}

function AddEntry({
  orgSlug,
  apiId,
  onDone,
}: {
  orgSlug: string;
  apiId: string;
  onDone: () => Promise<void>;
}) {
  const trpc = useTRPC();
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const [version, setVersion] = useState('');
  const [breaking, setBreaking] = useState(false);
  const add = useMutation(
    trpc.api.addChangelog.mutationOptions({
      onSuccess: async () => {
        setTitle('');
        setBody('');
        setBreaking(false);
        await onDone();
      },
    }),
  );
  const errors = fieldErrors(add.error);
  function onSubmit(event: FormEvent) {
    event.preventDefault();
    add.mutate({ orgSlug, apiId, title, body, version, breaking });
  }
  return (
    <form onSubmit={onSubmit} noValidate aria-labelledby="add-entry-title">
      <h3 id="add-entry-title">Add a changelog entry</h3>
      <div className="row">
        <Field
          id="entry-title"
          label="Title"
          value={title}
          error={errors.title}
          onChange={(e) => setTitle(e.target.value)}
        />
        <Field
          id="entry-version"
          label="Version (empty: current)"
          value={version}
          error={errors.version}
          onChange={(e) => setVersion(e.target.value)}
        />
      </div>
      <TextAreaField
        id="entry-body"
        label="Details"
        value={body}
        error={errors.body}
        onChange={(e) => setBody(e.target.value)}
      />
      <CheckboxField id="entry-breaking" label="Breaking change" checked={breaking} onChange={setBreaking} />
      <FormError message={formError(add.error)} />
      <button type="submit" disabled={add.isPending}>
        {add.isPending ? 'Adding…' : 'Add entry'}
      </button>
    </form>
  );
}

export default function ApiVersionsPage() {
  const { slug, apiSlug, config } = useApiConfig();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const apiId = config.data?.id ?? '';
  const versions = useQuery({
    ...trpc.api.versions.queryOptions({ orgSlug: slug, apiId }),
    enabled: Boolean(apiId),
  });
  const changelog = useQuery({
    ...trpc.api.changelog.queryOptions({ orgSlug: slug, apiId }),
    enabled: Boolean(apiId),
  });
  const refresh = async () => {
    await queryClient.invalidateQueries({ queryKey: trpc.api.versions.queryKey({ orgSlug: slug, apiId }) });
    await queryClient.invalidateQueries({ queryKey: trpc.api.changelog.queryKey({ orgSlug: slug, apiId }) });
  };
  const remove = useMutation(trpc.api.removeChangelog.mutationOptions({ onSuccess: refresh }));

  if (config.isPending) return <Loading what="Loading API" />;
  if (config.isError) return <ErrorState error={config.error} />;
  const { canWrite, status, name } = config.data;
  const live = status === 'PUBLISHED' || status === 'DEPRECATED';
  return (
    <ApiConfigFrame slug={slug} apiSlug={apiSlug} apiName={name} section="versions">
      <section className="card" aria-labelledby="versions-title">
        <h2 id="versions-title">Versions</h2>
        {versions.isPending ? (
          <Loading what="Loading versions" />
        ) : versions.isError ? (
          <ErrorState error={versions.error} />
        ) : (
          <>
            <p>
              Current version: <strong>{versions.data.current}</strong>
              {versions.data.hasDocument ? null : (
                <span className="muted">
                  {' '}
                  — no OpenAPI document yet (add one on the{' '}
                  <Link href={`/o/${slug}/apis/${apiSlug}/policies`}>Policies</Link> page).
                </span>
              )}
            </p>
            {versions.data.versions.length === 0 ? (
              <p className="empty">
                No version published yet: publishing the API keeps its document as the first one.
              </p>
            ) : (
              <ul className="list" aria-label="Published versions">
                {versions.data.versions.map((v) => (
                  <li key={v.version}>
                    <strong>{v.version}</strong>
                    <span className="muted">{v.createdAt.toLocaleDateString('en-GB')}</span>
                  </li>
                ))}
              </ul>
            )}
            {live && versions.data.versions.length > 0 && versions.data.hasDocument ? (
              <p>
                <Link
                  href={`/catalog/${slug}/${apiSlug}/versions?from=${encodeURIComponent(versions.data.versions[0]?.version ?? 'current')}&to=current`}
                >
                  Compare the current document with the last published version
                </Link>
              </p>
            ) : null}
            {canWrite && live ? <PublishVersion orgSlug={slug} apiId={apiId} onDone={refresh} /> : null}
            {!live ? (
              <p className="muted">New versions can be published once the API itself is published.</p>
            ) : null}
          </>
        )}
      </section>
      <section className="card" aria-labelledby="changelog-title">
        <h2 id="changelog-title">Changelog</h2>
        {canWrite ? <AddEntry orgSlug={slug} apiId={apiId} onDone={refresh} /> : null}
        <FormError message={formError(remove.error)} />
        {changelog.isPending ? (
          <Loading what="Loading changelog" />
        ) : changelog.isError ? (
          <ErrorState error={changelog.error} />
        ) : (
          <ChangelogList
            entries={changelog.data}
            removing={remove.isPending ? (remove.variables?.entryId ?? null) : null}
            onRemove={canWrite ? (entryId) => remove.mutate({ orgSlug: slug, entryId }) : undefined}
          />
        )}
      </section>
    </ApiConfigFrame>
  );
}
