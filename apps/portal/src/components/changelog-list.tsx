'use client';

import { Badge } from './ui/badge';

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
    <ol className="m-0 list-none p-0" aria-label="Changelog" reversed>
      {entries.map((entry) => (
        <li key={entry.id} className="border-b border-line py-2.5 last:border-b-0">
          <div className="meta">
            <strong>{entry.title}</strong>
            <Badge>{entry.version}</Badge>
            {entry.breaking ? <Badge tone="danger">breaking</Badge> : null}
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
          {entry.body ? <p className="m-0 mt-1 whitespace-pre-wrap">{entry.body}</p> : null}
        </li>
      ))}
    </ol>
  );
}
