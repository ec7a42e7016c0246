'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { EmptyState } from '~/components/ui/empty-state';
import { FieldShell } from '~/components/ui/field';
import { QueryState } from '~/components/ui/query-state';
import { useTRPC } from '~/trpc/client';
import { ApiReference } from './api-reference';
import styles from './catalog.module.css';
import { TryItKey } from './try-it';

/**
 * The API reference of the catalog page: the current document or an earlier published version's,
 * with "try it" (through the portal, with a pasted key) for APIs that take calls.
 */
export function ReferenceSection({
  orgSlug,
  apiSlug,
  current,
  version,
  versions,
  gatewayBaseUrl,
  callable,
  signedIn,
}: {
  orgSlug: string;
  apiSlug: string;
  current: unknown;
  version: string;
  versions: Array<{ version: string }>;
  gatewayBaseUrl: string;
  callable: boolean;
  signedIn: boolean;
}) {
  const trpc = useTRPC();
  const [shown, setShown] = useState('current');
  const [apiKey, setApiKey] = useState('');
  const snapshot = useQuery({
    ...trpc.catalog.spec.queryOptions({ orgSlug, apiSlug, version: shown }),
    enabled: shown !== 'current',
  });
  const hasCurrent = current !== null;
  const reference = (document: unknown) => (
    <ApiReference
      // A new key or document starts the renderer afresh with it.
      key={`${shown}:${apiKey}`}
      spec={document}
      gatewayBaseUrl={gatewayBaseUrl}
      orgSlug={orgSlug}
      apiSlug={apiSlug}
      apiKey={apiKey}
      tryIt={callable && signedIn}
      label={`API reference, ${shown === 'current' ? version : shown}`}
    />
  );
  return (
    <section className="card min-w-0" aria-labelledby="docs-title">
      <div className={styles.docsHead}>
        <h2 id="docs-title">API reference</h2>
        {versions.length > 0 ? (
          <FieldShell id="docs-version" label="Version" className="mb-0">
            <select id="docs-version" value={shown} onChange={(e) => setShown(e.target.value)}>
              {hasCurrent ? <option value="current">{version} (current)</option> : null}
              {versions.map((v) => (
                <option key={v.version} value={v.version}>
                  {v.version}
                </option>
              ))}
            </select>
          </FieldShell>
        ) : null}
      </div>
      {versions.length > 1 ? (
        <p>
          <Link href={`/catalog/${orgSlug}/${apiSlug}/versions`}>Compare versions side by side</Link>
        </p>
      ) : null}
      {callable && (hasCurrent || shown !== 'current') ? (
        <TryItKey orgSlug={orgSlug} apiSlug={apiSlug} signedIn={signedIn} onKey={setApiKey} />
      ) : null}
      {shown !== 'current' ? (
        <QueryState query={snapshot} pendingLabel="Loading this version">
          {(data) => reference(data.spec)}
        </QueryState>
      ) : hasCurrent ? (
        reference(current)
      ) : (
        <EmptyState
          title="No OpenAPI document yet."
          description="The provider has not published an OpenAPI document for this API. The plans below say what it offers; the changelog, what changed."
        />
      )}
    </section>
  );
}
