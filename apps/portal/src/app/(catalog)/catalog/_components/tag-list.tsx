import Link from 'next/link';
import styles from './catalog.module.css';

/** An API's tags; with `linked`, each opens the catalog filtered by it. */
export function TagList({
  tags,
  label,
  linked = false,
}: {
  tags: string[];
  label: string;
  linked?: boolean;
}) {
  if (tags.length === 0) return null;
  return (
    <ul className={styles.tags} aria-label={label}>
      {tags.map((tag) => (
        <li key={tag} className={styles.tag}>
          {linked ? <Link href={`/catalog?tag=${encodeURIComponent(tag)}`}>{tag}</Link> : tag}
        </li>
      ))}
    </ul>
  );
}
