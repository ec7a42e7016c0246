import Link from 'next/link';

export interface ApiFactsSource {
  slug: string;
  kind: string;
  upstreamUrl: string | null;
  version: string;
  visibility: string;
  status: string;
  canWrite: boolean;
  description: string | null;
  tags: string[];
  sunsetAt: Date | null;
}

const None = () => <span className="text-muted">None</span>;

/** The API's facts at a glance (description and tags too, for those who cannot edit them). */
export function ApiFacts({ orgSlug, api }: { orgSlug: string; api: ApiFactsSource }) {
  return (
    <section className="card" aria-labelledby="facts-title">
      <h2 id="facts-title" className="visually-hidden">
        Facts
      </h2>
      <dl className="facts">
        <dt>Slug</dt>
        <dd>
          <code>{api.slug}</code>
        </dd>
        {api.kind === 'REST' ? (
          <>
            <dt>Upstream</dt>
            <dd>
              <code>{api.upstreamUrl}</code>
            </dd>
          </>
        ) : (
          <>
            <dt>Kind</dt>
            <dd>{api.kind === 'AI' ? 'AI gateway (model routes)' : 'Prompt API'}</dd>
          </>
        )}
        <dt>Version</dt>
        <dd>{api.version}</dd>
        <dt>Visibility</dt>
        <dd>{api.visibility}</dd>
        {api.canWrite ? null : (
          <>
            <dt>Description</dt>
            <dd>{api.description || <None />}</dd>
            <dt>Tags</dt>
            <dd>{api.tags.length > 0 ? api.tags.join(', ') : <None />}</dd>
          </>
        )}
        {api.sunsetAt ? (
          <>
            <dt>Sunset</dt>
            <dd>{api.sunsetAt.toISOString().slice(0, 10)}</dd>
          </>
        ) : null}
      </dl>
      {api.status !== 'DRAFT' ? (
        <p>
          <Link href={`/catalog/${orgSlug}/${api.slug}`}>View in catalog</Link>
        </p>
      ) : (
        <p className="text-muted">
          This API is not visible in the catalog yet (
          <Link href={`/catalog/${orgSlug}/${api.slug}`}>preview</Link>
          ).
        </p>
      )}
    </section>
  );
}
