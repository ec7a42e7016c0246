import { Button } from '~/components/ui/button';
import { apiCount } from '../_lib/catalog-filters';
import { ApiCard, type CatalogListApi } from './api-card';
import styles from './catalog.module.css';

export interface CatalogPage {
  items: CatalogListApi[];
  total: number;
  page: number;
  pageCount: number;
}

function Pager({ data, onPage }: { data: CatalogPage; onPage: (page: number) => void }) {
  if (data.pageCount <= 1) return null;
  return (
    <nav className={styles.pager} aria-label="Pages">
      <Button variant="secondary" disabled={data.page <= 1} onClick={() => onPage(data.page - 1)}>
        Previous
      </Button>
      <span>
        Page {data.page} of {data.pageCount}
      </span>
      <Button
        variant="secondary"
        disabled={data.page >= data.pageCount}
        onClick={() => onPage(data.page + 1)}
      >
        Next
      </Button>
    </nav>
  );
}

/** One page of the catalog: how many APIs match, their cards, and the way to the other pages. */
export function CatalogResults({
  data,
  updating,
  onPage,
}: {
  data: CatalogPage;
  updating: boolean;
  onPage: (page: number) => void;
}) {
  return (
    <>
      <p className="muted" aria-live="polite" data-testid="catalog-count">
        {apiCount(data.total)}
        {updating ? ' · updating…' : ''}
      </p>
      <ul className="cards" aria-label="APIs">
        {data.items.map((api) => (
          <ApiCard key={api.id} api={api} />
        ))}
      </ul>
      <Pager data={data} onPage={onPage} />
    </>
  );
}
