'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useParams } from 'next/navigation';
import { useState } from 'react';
import { ErrorState, Loading } from '../../../../../components/form';
import { OrgCrumb } from '../../../../../components/org-crumb';
import { formError, useTRPC } from '../../../../../trpc/client';
import { formatDate, grantableRoles, InviteForm, type MemberRole, PendingInvitations } from './invitations';

interface MemberRow {
  userId: string;
  email: string;
  name: string | null;
  role: MemberRole;
  joinedAt: Date;
}

/** Mirrors the verbs' rules so the page only offers what the server will accept. */
function mayManage(actorRole: MemberRole, target: MemberRow, self: boolean) {
  if (self || (actorRole !== 'OWNER' && actorRole !== 'ADMIN')) return false;
  return target.role !== 'OWNER' || actorRole === 'OWNER';
}

function MemberItem({
  orgSlug,
  row,
  actorRole,
  self,
}: {
  orgSlug: string;
  row: MemberRow;
  actorRole: MemberRole;
  self: boolean;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.members.list.queryKey({ orgSlug }) });
  const changeRole = useMutation(trpc.members.changeRole.mutationOptions({ onSuccess: refresh }));
  const remove = useMutation(trpc.members.remove.mutationOptions({ onSuccess: refresh }));
  const manageable = mayManage(actorRole, row, self);
  const who = row.name ? `${row.name} (${row.email})` : row.email;
  const error = formError(changeRole.error) ?? formError(remove.error);
  const selectId = `role-${row.userId}`;
  return (
    <tr>
      <td data-label="Member">
        <div style={{ minWidth: 0, overflowWrap: 'anywhere' }}>
          {row.name ?? row.email}
          {self ? <span className="muted"> (you)</span> : null}
          {row.name ? <div className="muted">{row.email}</div> : null}
        </div>
      </td>
      <td data-label="Role">
        {manageable ? (
          <>
            <label htmlFor={selectId} className="visually-hidden">
              Role of {row.email}
            </label>
            <select
              id={selectId}
              value={changeRole.isPending ? (changeRole.variables?.role ?? row.role) : row.role}
              disabled={changeRole.isPending}
              onChange={(e) =>
                changeRole.mutate({ orgSlug, userId: row.userId, role: e.target.value as MemberRole })
              }
            >
              {grantableRoles(actorRole).map((role) => (
                <option key={role} value={role}>
                  {role}
                </option>
              ))}
            </select>
          </>
        ) : (
          <span className="badge">{row.role}</span>
        )}
      </td>
      <td data-label="Joined">{formatDate(row.joinedAt)}</td>
      <td>
        {manageable && !confirming ? (
          <button
            type="button"
            className="danger"
            onClick={() => setConfirming(true)}
            aria-label={`Remove ${who}`}
          >
            Remove
          </button>
        ) : null}
        {manageable && confirming ? (
          <div className="confirm">
            <span>Remove {row.email} from the organization?</span>
            <button
              type="button"
              className="danger"
              disabled={remove.isPending}
              onClick={() => remove.mutate({ orgSlug, userId: row.userId })}
            >
              Confirm removal
            </button>
            <button type="button" className="secondary" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </div>
        ) : null}
        {error ? (
          <p className="form-error" role="alert">
            {error}
          </p>
        ) : null}
      </td>
    </tr>
  );
}

function LeaveOrg({ orgSlug, orgName }: { orgSlug: string; orgName: string }) {
  const trpc = useTRPC();
  const [confirming, setConfirming] = useState(false);
  const leave = useMutation(
    trpc.members.leave.mutationOptions({ onSuccess: () => window.location.assign('/dashboard') }),
  );
  return (
    <section className="card danger-zone" aria-labelledby="leave-heading">
      <h2 id="leave-heading">Leave {orgName}</h2>
      <p className="muted">You lose access to its APIs, apps and keys until someone invites you again.</p>
      {confirming ? (
        <div className="confirm">
          <button
            type="button"
            className="danger"
            disabled={leave.isPending || leave.isSuccess}
            onClick={() => leave.mutate({ orgSlug })}
          >
            {leave.isPending ? 'Leaving…' : 'Yes, leave'}
          </button>
          <button type="button" className="secondary" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </div>
      ) : (
        <button type="button" className="danger" onClick={() => setConfirming(true)}>
          Leave organization
        </button>
      )}
      {leave.error ? (
        <p className="form-error" role="alert">
          {leave.error.message}
        </p>
      ) : null}
    </section>
  );
}

export default function MembersPage() {
  const { slug } = useParams<{ slug: string }>();
  const trpc = useTRPC();
  const org = useQuery(trpc.org.get.queryOptions({ orgSlug: slug }));
  const me = useQuery(trpc.auth.me.queryOptions());
  const members = useQuery(trpc.members.list.queryOptions({ orgSlug: slug }));

  if (org.isPending || me.isPending) return <Loading what="Loading members" />;
  if (org.isError) return <ErrorState error={org.error} />;
  if (me.isError) return <ErrorState error={me.error} />;
  const actorRole = org.data.role as MemberRole;
  const canManage = actorRole === 'OWNER' || actorRole === 'ADMIN';

  return (
    <>
      <OrgCrumb slug={slug} />
      <div className="page-head">
        <h1>Members</h1>
        <p className="muted">
          Your role: <span className="badge">{actorRole}</span>
        </p>
      </div>
      {canManage ? <InviteForm orgSlug={slug} actorRole={actorRole} /> : null}
      <section className="card" aria-labelledby="members-heading">
        <h2 id="members-heading">Team</h2>
        {members.isPending ? (
          <Loading what="Loading members" />
        ) : members.isError ? (
          <ErrorState error={members.error} />
        ) : members.data.length === 0 ? (
          <p className="empty">No members.</p>
        ) : (
          <div className="table-wrap">
            <table className="table stack" aria-labelledby="members-heading">
              <thead>
                <tr>
                  <th scope="col">Member</th>
                  <th scope="col">Role</th>
                  <th scope="col">Joined</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {members.data.map((row) => (
                  <MemberItem
                    key={row.userId}
                    orgSlug={slug}
                    row={row}
                    actorRole={actorRole}
                    self={row.userId === me.data?.id}
                  />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {canManage ? <PendingInvitations orgSlug={slug} actorRole={actorRole} /> : null}
      <LeaveOrg orgSlug={slug} orgName={org.data.name} />
    </>
  );
}
