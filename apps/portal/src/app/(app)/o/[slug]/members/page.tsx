'use client';

import { useQuery } from '@tanstack/react-query';
import { useParams } from 'next/navigation';
import { OrgCrumb } from '~/components/org-crumb';
import { Badge } from '~/components/ui/badge';
import { EmptyState } from '~/components/ui/empty-state';
import { QueryState } from '~/components/ui/query-state';
import { can } from '~/server/permissions';
import { useTRPC } from '~/trpc/client';
import { PendingInvitations } from './_components/invitation-table';
import { InviteForm } from './_components/invite-form';
import { LeaveOrg } from './_components/leave-org';
import { MemberTable } from './_components/member-table';
import type { MemberRole } from './_components/roles';

function Team({
  orgSlug,
  actorRole,
  myId,
}: {
  orgSlug: string;
  actorRole: MemberRole;
  myId: string | undefined;
}) {
  const trpc = useTRPC();
  const members = useQuery(trpc.members.list.queryOptions({ orgSlug }));
  return (
    <section className="card" aria-labelledby="members-heading">
      <h2 id="members-heading">Team</h2>
      <QueryState
        query={members}
        pendingLabel="Loading members"
        isEmpty={(rows) => rows.length === 0}
        empty={<EmptyState title="No members." />}
      >
        {(rows) => <MemberTable orgSlug={orgSlug} rows={rows} actorRole={actorRole} myId={myId} />}
      </QueryState>
    </section>
  );
}

export default function MembersPage() {
  const { slug } = useParams<{ slug: string }>();
  const trpc = useTRPC();
  const org = useQuery(trpc.org.get.queryOptions({ orgSlug: slug }));
  const me = useQuery(trpc.auth.me.queryOptions());
  return (
    <>
      <OrgCrumb slug={slug} />
      <QueryState query={org} pendingLabel="Loading members">
        {(data) => {
          const actorRole = data.role as MemberRole;
          const manage = can(actorRole, 'member.manage');
          return (
            <>
              <div className="page-head">
                <h1>Members</h1>
                <p className="muted m-0">
                  Your role: <Badge>{actorRole}</Badge>
                </p>
              </div>
              {manage ? (
                <InviteForm orgSlug={slug} actorRole={actorRole} />
              ) : (
                <p className="muted" data-testid="members-read-only">
                  Only owners and admins invite members and change roles; ask one of them.
                </p>
              )}
              <Team orgSlug={slug} actorRole={actorRole} myId={me.data?.id} />
              {manage ? <PendingInvitations orgSlug={slug} actorRole={actorRole} /> : null}
              <LeaveOrg orgSlug={slug} orgName={data.name} />
            </>
          );
        }}
      </QueryState>
    </>
  );
}
