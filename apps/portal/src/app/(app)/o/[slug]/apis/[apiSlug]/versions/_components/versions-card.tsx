'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { EmptyState } from '~/components/ui/empty-state';
import { QueryState } from '~/components/ui/query-state';
import { useTRPC } from '~/trpc/client';
import { PublishVersion } from './publish-version';

interface Props {
  slug: string;
  apiSlug: string;
  apiId: string;
  canWrite: boolean;
  /** published or deprecated: new versions can be published */
  live: boolean;
  onChanged: () => Promise<void>;
}

/** The current version, the published ones, and (for writers of a live API) publishing the next one. */
export function VersionsCard({ slug, apiSlug, apiId, canWrite, live, onChanged }: Props) {
  const trpc = useTRPC();
  const versions = useQuery({
    ...trpc.api.versions.queryOptions({ orgSlug: slug, apiId }),
    enabled: Boolean(apiId),
  });
  return (
    <section className="card" aria-labelledby="versions-title">
      <h2 id="versions-title">Versions</h2>
      <QueryState query={versions} pendingLabel="Loading versions">
        {(data) => (
          <>
            <p>
              Current version: <strong>{data.current}</strong>
              {data.hasDocument ? null : (
                <span className="text-muted">
                  {' '}
                  — no OpenAPI document yet (add one on the{' '}
                  <Link href={`/o/${slug}/apis/${apiSlug}/openapi`}>OpenAPI</Link> page).
                </span>
              )}
            </p>
            {data.versions.length === 0 ? (
              <EmptyState
                title="No version published yet."
                description="Publishing the API keeps its document as the first one."
              />
            ) : (
              <ul className="list" aria-label="Published versions">
                {data.versions.map((v) => (
                  <li key={v.version}>
                    <strong>{v.version}</strong>
                    <span className="text-muted">{v.createdAt.toLocaleDateString('en-GB')}</span>
                  </li>
                ))}
              </ul>
            )}
            {live && data.versions.length > 0 && data.hasDocument ? (
              <p>
                <Link
                  href={`/catalog/${slug}/${apiSlug}/versions?from=${encodeURIComponent(data.versions[0]?.version ?? 'current')}&to=current`}
                >
                  Compare the current document with the last published version
                </Link>
              </p>
            ) : null}
            {canWrite && live ? <PublishVersion orgSlug={slug} apiId={apiId} onDone={onChanged} /> : null}
            {!live ? (
              <p className="text-muted">New versions can be published once the API itself is published.</p>
            ) : null}
            {live && !canWrite ? (
              <p className="text-sm text-muted">Owners and admins publish new versions.</p>
            ) : null}
          </>
        )}
      </QueryState>
    </section>
  );
}
