'use client';

import { useMemo } from 'react';
import { type DocMedia, type DocOperation, readOpenApi } from '../_lib/openapi-model';
import styles from './catalog.module.css';
import { SchemaTable } from './schema-table';

function MethodBadge({ method }: { method: string }) {
  return <span className={`${styles.method} ${styles[method] ?? ''}`}>{method.toUpperCase()}</span>;
}

function MediaBlock({ media, what }: { media: DocMedia; what: string }) {
  return (
    <div>
      <p className="muted">
        <code>{media.mediaType}</code>
      </p>
      <SchemaTable rows={media.rows} caption={`${what} (${media.mediaType})`} />
      {media.example ? (
        <>
          <p className="muted">Example</p>
          <pre className={`code ${styles.example}`}>{media.example}</pre>
        </>
      ) : null}
    </div>
  );
}

function Operation({ op, anchor }: { op: DocOperation; anchor: string | null }) {
  const label = `${op.method.toUpperCase()} ${op.path}`;
  return (
    <details
      className={`${styles.operation} ${op.deprecated ? styles.deprecatedOp : ''}`}
      id={anchor ?? undefined}
    >
      <summary>
        <MethodBadge method={op.method} />
        <span className={styles.path}>{op.path}</span>
        {op.summary ? <span className="muted">{op.summary}</span> : null}
        {op.deprecated ? <span className="badge status-suspended">deprecated</span> : null}
      </summary>
      <div className={styles.operationBody}>
        {op.description ? <p>{op.description}</p> : null}
        <h4>Parameters</h4>
        {op.parameters.length === 0 ? (
          <p className="muted">None.</p>
        ) : (
          <div className="table-wrap">
            <table className={styles.schemaTable}>
              <caption className="visually-hidden">Parameters of {label}</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">In</th>
                  <th scope="col">Type</th>
                  <th scope="col">Description</th>
                </tr>
              </thead>
              <tbody>
                {op.parameters.map((p) => (
                  <tr key={`${p.in}:${p.name}`}>
                    <td>
                      <span className={styles.propName}>{p.name}</span>
                      {p.required ? <span className={styles.required}>required</span> : null}
                    </td>
                    <td>{p.in}</td>
                    <td>
                      <code>{p.type}</code>
                    </td>
                    <td>
                      {p.description}
                      {p.enumValues.length > 0 ? (
                        <span className="muted"> One of: {p.enumValues.join(', ')}</span>
                      ) : null}
                      {p.example ? (
                        <span className="muted">
                          {' '}
                          Example: <code>{p.example}</code>
                        </span>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {op.requestBody ? (
          <>
            <h4>
              Request body{' '}
              {op.requestBody.required ? (
                <span className={styles.required}>required</span>
              ) : (
                <span className="muted">(optional)</span>
              )}
            </h4>
            {op.requestBody.description ? <p>{op.requestBody.description}</p> : null}
            {op.requestBody.contents.map((media) => (
              <MediaBlock key={media.mediaType} media={media} what={`Request body of ${label}`} />
            ))}
          </>
        ) : null}
        <h4>Responses</h4>
        {op.responses.length === 0 ? <p className="muted">None documented.</p> : null}
        {op.responses.map((response) => (
          <section key={response.code} aria-label={`Response ${response.code}`}>
            <p>
              <strong>{response.code}</strong> {response.description}
            </p>
            {response.contents.map((media) => (
              <MediaBlock
                key={media.mediaType}
                media={media}
                what={`Response ${response.code} of ${label}`}
              />
            ))}
          </section>
        ))}
      </div>
    </details>
  );
}

/** The API's OpenAPI document as readable HTML: operations grouped by tag, schemas as nested tables. */
export function OpenApiDocs({ spec, idPrefix = '' }: { spec: unknown; idPrefix?: string }) {
  const doc = useMemo(() => readOpenApi(spec), [spec]);
  if (!doc) return <p className="empty">This API has no readable OpenAPI document.</p>;
  // An operation under several tags is shown in each group; only the first copy carries the anchor id.
  const anchored = new Set<string>();
  return (
    <div data-testid="openapi-docs">
      {doc.title || doc.version ? (
        <p>
          <strong>{doc.title}</strong>{' '}
          {doc.version ? <span className="muted">document version {doc.version}</span> : null}
        </p>
      ) : null}
      {doc.description ? <p className={styles.entryBody}>{doc.description}</p> : null}
      {doc.operations.length === 0 ? <p className="empty">The document lists no operations.</p> : null}
      {doc.groups.map((group) => (
        <section key={group.tag} className={styles.group} aria-label={`Operations: ${group.tag}`}>
          <h3>{group.tag}</h3>
          {group.description ? <p className="muted">{group.description}</p> : null}
          {group.operations.map((op) => {
            const anchor = anchored.has(op.id) ? null : `${idPrefix}op-${op.id}`;
            anchored.add(op.id);
            return <Operation key={`${group.tag}:${op.id}`} op={op} anchor={anchor} />;
          })}
        </section>
      ))}
    </div>
  );
}
