'use client';

import styles from './catalog.module.css';

export interface ChangelogEntry {
  id: string;
  version: string;
  title: string;
  body: string;
  breaking: boolean;
  createdAt: Date;
}

/** Changelog entries, newest first as given; `onRemove` adds a remove button (provider side). */
export function ChangelogList({
  entries,
  onRemove,
  removing,
}: {
  entries: ChangelogEntry[];
  onRemove?: (id: string) => void;
  removing?: string | null;
}) {
  if (entries.length === 0) return <p className="empty">No changes recorded yet.</p>;
  return (
    <ol className={styles.changelog} aria-label="Changelog" reversed>
      {entries.map((entry) => (
        <li key={entry.id}>
          <div className="meta">
            <strong>{entry.title}</strong>
            <span className="badge">{entry.version}</span>
            {entry.breaking ? <span className={`badge ${styles.breaking}`}>breaking</span> : null}
            <time className="muted" dateTime={entry.createdAt.toISOString()}>
              {entry.createdAt.toLocaleDateString('en-GB', {
                year: 'numeric',
                month: 'short',
                day: 'numeric',
              })}
            </time>
            {onRemove ? (
              <button
                type="button"
                className="link"
                disabled={removing === entry.id}
                aria-label={`Remove changelog entry ${entry.title}`}
                onClick={() => onRemove(entry.id)}
              >
                Remove
              </button>
            ) : null}
          </div>
          {entry.body ? <p className={styles.entryBody}>{entry.body}</p> : null}
        </li>
      ))}
    </ol>
  );
}
