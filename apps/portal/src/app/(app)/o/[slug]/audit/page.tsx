'use client';

import { useQuery } from '@tanstack/react-query';
import { useParams } from 'next/navigation';
import { useState } from 'react';
import { OrgCrumb } from '~/components/org-crumb';
import { QueryState } from '~/components/ui/query-state';
import { can } from '~/server/permissions';
import { useTRPC } from '~/trpc/client';
import { AuditList } from './_components/audit-list';
import { type AuditDraft, NO_FILTER } from './_components/filter';
import { AuditFilters } from './_components/filters';

export default function AuditPage() {
  const { slug } = useParams<{ slug: string }>();
  const trpc = useTRPC();
  const org = useQuery(trpc.org.get.queryOptions({ orgSlug: slug }));
  const [applied, setApplied] = useState<AuditDraft>(NO_FILTER);
  return (
    <>
      <OrgCrumb slug={slug} />
      <div className="page-head">
        <h1>Audit log</h1>
      </div>
      <QueryState query={org} pendingLabel="Loading the audit log">
        {(data) =>
          can(data.role, 'audit.read') ? (
            <>
              <p className="muted">
                Every change made in {data.name}: who, what, and the record before and after.
              </p>
              <section className="card min-w-0" aria-label="Entries">
                <AuditFilters orgSlug={slug} onApply={setApplied} />
                <AuditList orgSlug={slug} draft={applied} />
              </section>
            </>
          ) : (
            <p className="form-error" role="alert" data-testid="audit-forbidden">
              Only admins and owners can read the audit log of {data.name}.
            </p>
          )
        }
      </QueryState>
    </>
  );
}
