import { Badge } from '~/components/ui/badge';
import styles from '../../../../_components/catalog.module.css';

export interface Change {
  level: 'breaking' | 'non-breaking';
  kind: string;
  operation: string;
  location: string;
  message: string;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** How many changes break callers and how many do not, then each change. */
export function ChangeList({ diff }: { diff: { breaking: number; nonBreaking: number; changes: Change[] } }) {
  return (
    <>
      <p data-testid="diff-summary" aria-live="polite">
        <strong>{plural(diff.breaking, 'breaking change')}</strong>,{' '}
        {plural(diff.nonBreaking, 'compatible change')}
      </p>
      {diff.changes.length === 0 ? (
        <p className="muted">The two documents describe the same API.</p>
      ) : (
        <ul className="list" aria-label="Changes">
          {diff.changes.map((c) => (
            <li
              key={`${c.level}|${c.kind}|${c.operation}|${c.location}|${c.message}`}
              className={styles.change}
            >
              <Badge tone={c.level === 'breaking' ? 'danger' : 'ok'}>
                {c.level === 'breaking' ? 'breaking' : 'compatible'}
              </Badge>
              {c.location ? <code className="[overflow-wrap:anywhere]">{c.operation}</code> : null}
              <span className="[overflow-wrap:anywhere]">{c.message}</span>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
