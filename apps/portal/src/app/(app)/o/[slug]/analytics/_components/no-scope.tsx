'use client';

import Link from 'next/link';
import { buttonClasses } from '~/components/ui/button-classes';
import { EmptyState } from '~/components/ui/empty-state';
import { can } from '~/server/permissions';

type Role = Parameters<typeof can>[0];

/**
 * An org with neither published APIs nor subscriptions: the next steps its role can take (publishing
 * needs a role that may write APIs; any member with app rights can subscribe from the catalog).
 */
export function NoScope({ slug, role }: { slug: string; role: Role | undefined }) {
  const mayPublish = role ? can(role, 'api.write') : false;
  return (
    <EmptyState
      title="Nothing to chart yet."
      description={
        mayPublish
          ? 'Publish an API, or subscribe one of your apps to an API in the catalog.'
          : 'Subscribe one of your apps to an API in the catalog. Owners and admins publish APIs.'
      }
      action={
        <div className="flex flex-wrap justify-center gap-2">
          {mayPublish ? (
            <Link href={`/o/${slug}/apis/new`} className={buttonClasses('primary')}>
              Publish an API
            </Link>
          ) : null}
          <Link href="/catalog" className={buttonClasses(mayPublish ? 'secondary' : 'primary')}>
            Browse the catalog
          </Link>
        </div>
      }
    />
  );
}
