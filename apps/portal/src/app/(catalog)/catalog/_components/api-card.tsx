import Link from 'next/link';
import { Badge } from '~/components/ui/badge';
import { StatusBadge } from './status-badge';
import { TagList } from './tag-list';

export interface CatalogListApi {
  id: string;
  slug: string;
  name: string;
  description: string | null;
  version: string;
  status: string;
  visibility: string;
  tags: string[];
  org: { slug: string; name: string };
  _count: { plans: number };
}

/** One API of the catalog list: name (the link to its page), provider, status and tags. */
export function ApiCard({ api }: { api: CatalogListApi }) {
  const plans = api._count.plans;
  return (
    <li className="card api-card min-w-0">
      <h2>
        <Link href={`/catalog/${api.org.slug}/${api.slug}`}>{api.name}</Link>
      </h2>
      <p className="muted">
        by {api.org.name} · {api.version}
      </p>
      {api.description ? <p className="[overflow-wrap:anywhere]">{api.description}</p> : null}
      <p className="meta flex-wrap">
        <StatusBadge status={api.status} />
        {api.visibility !== 'PUBLIC' ? <Badge>{api.visibility}</Badge> : null}
        <span className="muted">
          {plans} plan{plans === 1 ? '' : 's'}
        </span>
      </p>
      <TagList tags={api.tags} label={`Tags of ${api.name}`} />
    </li>
  );
}
