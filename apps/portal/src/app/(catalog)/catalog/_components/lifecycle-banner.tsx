import styles from './catalog.module.css';

const day = (d: Date) => d.toLocaleDateString('en-GB', { year: 'numeric', month: 'long', day: 'numeric' });

/** What a deprecated, retired or draft API means for callers; nothing for a published one. */
export function LifecycleBanner({
  status,
  deprecatedAt,
  sunsetAt,
}: {
  status: string;
  deprecatedAt: Date | null;
  sunsetAt: Date | null;
}) {
  switch (status) {
    case 'DEPRECATED':
      return (
        <div className={styles.banner} role="status" data-testid="deprecation-banner">
          <strong>Deprecated</strong>
          {deprecatedAt ? ` since ${day(deprecatedAt)}` : ''}.{' '}
          {sunsetAt ? `Sunset on ${day(sunsetAt)}: calls will be refused from then on.` : ''} New
          subscriptions are closed; see the changelog for what to move to.
        </div>
      );
    case 'RETIRED':
      return (
        <div className={`${styles.banner} ${styles.bannerDanger}`} role="status">
          <strong>Retired</strong>
          {sunsetAt ? ` on ${day(sunsetAt)}` : ''}: the gateway answers <code>410 api_retired</code>.
        </div>
      );
    case 'DRAFT':
      return (
        <div className={styles.banner} role="status">
          <strong>Draft</strong>: only your organization sees this page until the API is published.
        </div>
      );
    default:
      return null;
  }
}
