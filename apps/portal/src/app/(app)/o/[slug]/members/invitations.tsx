'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { SelectField } from '../../../../../components/config-fields';
import { ErrorState, Field, FormError, Loading } from '../../../../../components/form';
import { fieldErrors, formError, useTRPC } from '../../../../../trpc/client';

export type MemberRole = 'OWNER' | 'ADMIN' | 'DEVELOPER' | 'VIEWER';
const ROLES: readonly MemberRole[] = ['OWNER', 'ADMIN', 'DEVELOPER', 'VIEWER'];

const ROLE_HINTS: Record<MemberRole, string> = {
  OWNER: 'Owner — everything, owners too',
  ADMIN: 'Admin — everything but owners',
  DEVELOPER: 'Developer — apps and keys',
  VIEWER: 'Viewer — read only',
};

/** Roles the actor may hand out: only owners grant OWNER. */
export const grantableRoles = (actorRole: MemberRole) =>
  ROLES.filter((r) => r !== 'OWNER' || actorRole === 'OWNER');

export const formatDate = (date: Date) =>
  new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(date);

/**
 * An invitation's link, shown once to the inviter (only its hash is stored), to hand over when mail
 * does not reach the invitee. It only works for an account that has confirmed the invited address.
 */
function InviteLink({ email, link }: { email: string; link: string }) {
  const [copied, setCopied] = useState(false);
  const id = `invite-link-${email.replace(/[^a-z0-9]/gi, '-')}`;
  return (
    <div className="field">
      <label htmlFor={id}>Invitation link for {email}</label>
      <div className="actions">
        <input id={id} readOnly value={link} onFocus={(e) => e.currentTarget.select()} />
        <button
          type="button"
          className="secondary"
          onClick={async () => {
            await navigator.clipboard?.writeText(link).catch(() => undefined);
            setCopied(true);
          }}
        >
          {copied ? 'Copied' : 'Copy link'}
        </button>
      </div>
      <p className="hint">Shown once. It works only for an account that has confirmed {email}, for 7 days.</p>
    </div>
  );
}

export function InviteForm({ orgSlug, actorRole }: { orgSlug: string; actorRole: MemberRole }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<MemberRole>('DEVELOPER');
  const [sent, setSent] = useState<{ email: string; link: string } | null>(null);
  const invite = useMutation(
    trpc.members.invite.mutationOptions({
      onSuccess: async (invitation) => {
        setSent({ email: invitation.email, link: invitation.link });
        setEmail('');
        await queryClient.invalidateQueries({ queryKey: trpc.members.invitations.queryKey({ orgSlug }) });
      },
    }),
  );
  const errors = fieldErrors(invite.error);

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    setSent(null);
    invite.mutate({ orgSlug, email, role });
  }

  return (
    <section className="card" aria-labelledby="invite-heading">
      <h2 id="invite-heading">Invite a teammate</h2>
      <form className="inline-form" onSubmit={onSubmit} noValidate>
        <Field
          id="invite-email"
          label="Email address"
          type="email"
          autoComplete="off"
          required
          value={email}
          error={errors.email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <SelectField
          id="invite-role"
          label="Role"
          value={role}
          error={errors.role}
          onChange={(e) => setRole(e.target.value as MemberRole)}
          options={grantableRoles(actorRole).map((r) => ({ value: r, label: ROLE_HINTS[r] }))}
        />
        <button type="submit" disabled={invite.isPending}>
          {invite.isPending ? 'Sending…' : 'Send invitation'}
        </button>
      </form>
      <FormError message={formError(invite.error)} />
      {sent ? (
        <>
          <p className="saved" role="status">
            Invitation sent to {sent.email}. The link works for 7 days.
          </p>
          <InviteLink email={sent.email} link={sent.link} />
        </>
      ) : null}
    </section>
  );
}

interface InvitationRow {
  id: string;
  email: string;
  role: MemberRole;
  expiresAt: Date;
  expired: boolean;
}

function InvitationItem({
  orgSlug,
  row,
  actorRole,
}: {
  orgSlug: string;
  row: InvitationRow;
  actorRole: MemberRole;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const refresh = () =>
    queryClient.invalidateQueries({ queryKey: trpc.members.invitations.queryKey({ orgSlug }) });
  const revoke = useMutation(trpc.members.revokeInvitation.mutationOptions({ onSuccess: refresh }));
  const resend = useMutation(trpc.members.invite.mutationOptions({ onSuccess: refresh }));
  const mayTouch = row.role !== 'OWNER' || actorRole === 'OWNER';
  const busy = revoke.isPending || resend.isPending;
  const error = formError(revoke.error) ?? formError(resend.error);
  return (
    <tr>
      <td data-label="Email">{row.email}</td>
      <td data-label="Role">
        <span className="badge">{row.role}</span>
      </td>
      <td data-label="Expires">
        {row.expired ? <span className="badge status-rejected">expired</span> : formatDate(row.expiresAt)}
      </td>
      <td>
        {mayTouch ? (
          <div className="actions">
            <button
              type="button"
              className="secondary"
              disabled={busy}
              onClick={() => resend.mutate({ orgSlug, email: row.email, role: row.role })}
              aria-label={`Resend the invitation to ${row.email}`}
            >
              Resend
            </button>
            <button
              type="button"
              className="danger"
              disabled={busy}
              onClick={() => revoke.mutate({ orgSlug, invitationId: row.id })}
              aria-label={`Revoke the invitation to ${row.email}`}
            >
              Revoke
            </button>
          </div>
        ) : null}
        {error ? (
          <p className="form-error" role="alert">
            {error}
          </p>
        ) : null}
        {resend.data ? <InviteLink email={resend.data.email} link={resend.data.link} /> : null}
      </td>
    </tr>
  );
}

export function PendingInvitations({ orgSlug, actorRole }: { orgSlug: string; actorRole: MemberRole }) {
  const trpc = useTRPC();
  const invitations = useQuery(trpc.members.invitations.queryOptions({ orgSlug }));
  return (
    <section className="card" aria-labelledby="pending-heading">
      <h2 id="pending-heading">Pending invitations</h2>
      {invitations.isPending ? (
        <Loading what="Loading invitations" />
      ) : invitations.isError ? (
        <ErrorState error={invitations.error} />
      ) : invitations.data.length === 0 ? (
        <p className="empty">No pending invitations.</p>
      ) : (
        <div className="table-wrap">
          <table className="table stack" aria-labelledby="pending-heading">
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Expires</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {invitations.data.map((row) => (
                <InvitationItem key={row.id} orgSlug={orgSlug} row={row} actorRole={actorRole} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
