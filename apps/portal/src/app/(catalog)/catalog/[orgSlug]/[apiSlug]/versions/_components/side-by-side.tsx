import { ApiReference } from '../../../../_components/api-reference';
import styles from '../../../../_components/catalog.module.css';

interface Side {
  version: string;
  label: string;
  spec: unknown;
}

/** Both documents rendered next to each other (stacked at phone width), without "try it". */
export function SideBySide({
  from,
  to,
  gatewayBaseUrl,
  orgSlug,
  apiSlug,
}: {
  from: Side;
  to: Side;
  gatewayBaseUrl: string;
  orgSlug: string;
  apiSlug: string;
}) {
  return (
    <div className={styles.sideBySide}>
      {[
        { side: from, id: 'from-title' },
        { side: to, id: 'to-title' },
      ].map(({ side, id }) => (
        <section key={id} className="card min-w-0" aria-labelledby={id}>
          <h2 id={id}>{side.label}</h2>
          <ApiReference
            spec={side.spec}
            gatewayBaseUrl={gatewayBaseUrl}
            orgSlug={orgSlug}
            apiSlug={apiSlug}
            tryIt={false}
            label={`API reference, ${side.label}`}
          />
        </section>
      ))}
    </div>
  );
}
