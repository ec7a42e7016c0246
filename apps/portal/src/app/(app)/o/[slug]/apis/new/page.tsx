'use client';

import { useQuery } from '@tanstack/react-query';
import { useParams } from 'next/navigation';
import { OrgCrumb } from '~/components/org-crumb';
import { EmptyState } from '~/components/ui/empty-state';
import { can } from '~/server/permissions';
import { useTRPC } from '~/trpc/client';
import { NewApiForm } from './_components/new-api-form';

export default function NewApiPage() {
  const { slug } = useParams<{ slug: string }>();
  const trpc = useTRPC();
  const org = useQuery(trpc.org.get.queryOptions({ orgSlug: slug }));
  const readOnly = org.data ? !can(org.data.role, 'api.write') : false;
  return (
    <>
      <OrgCrumb slug={slug} section={{ label: 'APIs', href: `/o/${slug}/apis` }} />
      {readOnly ? (
        <>
          <h1>New API</h1>
          <EmptyState
            title="Only owners and admins create APIs."
            description="Ask one of them to add the API, or to change your role."
            action={{ label: 'Back to APIs', href: `/o/${slug}/apis` }}
          />
        </>
      ) : (
        <NewApiForm orgSlug={slug} />
      )}
    </>
  );
}
