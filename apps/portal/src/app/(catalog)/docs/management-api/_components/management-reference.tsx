'use client';

import { useQuery } from '@tanstack/react-query';
import { ScalarReference } from '~/components/scalar-reference';
import { QueryState } from '~/components/ui/query-state';

async function fetchDocument(): Promise<object> {
  const response = await fetch('/api/v1/openapi.json');
  if (!response.ok) throw new Error(`The reference could not be loaded (HTTP ${response.status})`);
  return (await response.json()) as object;
}

/** The management API's generated OpenAPI 3.1 document, rendered like the catalog's references. */
export function ManagementReference() {
  const document = useQuery({
    queryKey: ['management-openapi'],
    queryFn: fetchDocument,
    staleTime: Infinity,
  });
  return (
    <QueryState query={document} pendingLabel="Loading the reference">
      {(content) => (
        <section aria-label="Management API reference" data-testid="management-api-reference">
          <ScalarReference configuration={{ content, hideTestRequestButton: true }} />
        </section>
      )}
    </QueryState>
  );
}
