'use client';

import type { SchemaRow } from '../_lib/openapi-model';
import styles from './catalog.module.css';

/** A schema as a table: nested properties indented under their parent, required ones marked. */
export function SchemaTable({ rows, caption }: { rows: SchemaRow[]; caption: string }) {
  if (rows.length === 0) return null;
  return (
    <div className="table-wrap">
      <table className={styles.schemaTable}>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Field</th>
            <th scope="col">Type</th>
            <th scope="col">Description</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.key}>
              <td>
                <span className={styles.propName} style={{ paddingLeft: `${row.depth * 1.1}rem` }}>
                  {row.depth > 0 ? <span aria-hidden="true">└ </span> : null}
                  {row.name}
                </span>
                {row.required ? <span className={styles.required}>required</span> : null}
              </td>
              <td>
                <code>{row.type}</code>
                {row.deprecated ? <span className="badge"> deprecated</span> : null}
              </td>
              <td>
                {row.description}
                {row.enumValues.length > 0 ? (
                  <span className="muted"> One of: {row.enumValues.join(', ')}</span>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
