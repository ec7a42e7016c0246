import Link from 'next/link';
import { Badge } from '~/components/ui/badge';
import { buttonClasses } from '~/components/ui/button-classes';
import { InvalidInvitation } from './invalid-invitation';

export interface InvitationIntroData {
  org: { name: string };
  role: string;
  email: string;
  expiresAt: Date;
  state: 'pending' | 'accepted' | 'expired';
  invitedBy: string | null;
}

/** An invitation link opened signed out: what it is, then sign-up (address pre-filled) or sign-in. */
export function InvitationIntro({
  token,
  invitation,
}: {
  token: string;
  invitation: InvitationIntroData | null;
}) {
  const back = `/invite/${encodeURIComponent(token)}`;
  if (!invitation) {
    return (
      <>
        <h1>Invitation</h1>
        <InvalidInvitation />
      </>
    );
  }
  const { org, role, email, state, invitedBy, expiresAt } = invitation;
  const signUp = `/signup?${new URLSearchParams({ email, callbackUrl: back })}`;
  const signIn = `/signin?${new URLSearchParams({ callbackUrl: back })}`;
  return (
    <>
      <h1>Join {org.name}</h1>
      <p>
        {invitedBy ? <strong>{invitedBy}</strong> : 'A teammate'} invited <strong>{email}</strong> to join{' '}
        <strong>{org.name}</strong> on Portcullis as <Badge>{role}</Badge>.
      </p>
      {state === 'accepted' ? (
        <p>This invitation has already been used.</p>
      ) : state === 'expired' ? (
        <p className="form-error" role="alert">
          This invitation has expired. Ask a manager of {org.name} to invite you again.
        </p>
      ) : (
        <>
          <p className="muted">
            Create an account with {email} (or sign in if you have one), confirm the address, then accept
            here. The link works until {expiresAt.toUTCString()}.
          </p>
          <div className="flex flex-wrap gap-2">
            <Link href={signUp} className={buttonClasses('primary')}>
              Create an account
            </Link>
            <Link href={signIn} className={buttonClasses('secondary')}>
              Sign in
            </Link>
          </div>
        </>
      )}
    </>
  );
}
