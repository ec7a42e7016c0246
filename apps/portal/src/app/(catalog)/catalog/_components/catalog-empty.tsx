'use client';

import { Button } from '~/components/ui/button';
import { EmptyState } from '~/components/ui/empty-state';
import { HiddenApis } from './hidden-apis';

/** An empty catalog page: filters that match nothing, or nothing listed (and why, when APIs are hidden). */
export function CatalogEmpty({ filtered, onClear }: { filtered: boolean; onClear: () => void }) {
  if (filtered) {
    return (
      <EmptyState
        title="No APIs match these filters."
        description="Try other words or another provider, tag or status."
        action={
          <Button variant="secondary" onClick={onClear}>
            Clear filters
          </Button>
        }
      />
    );
  }
  return (
    <HiddenApis
      listEmpty
      fallback={
        <EmptyState
          title="No published APIs yet."
          description="Providers list their APIs here once they publish them. To publish one of your own, create an API in one of your organizations."
          action={{ label: 'Open your dashboard', href: '/dashboard' }}
        />
      }
    />
  );
}
