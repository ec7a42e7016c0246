import { introduceInvitation } from '@portcullis/services/verbs/members';
import type { Metadata } from 'next';
import Link from 'next/link';
import { currentUserId } from '~/server/auth';
import { serviceDb } from '~/server/db';
import { AcceptInvitation } from './accept-invitation';
import { InvitationIntro } from './invitation-intro';

// The token is in the path: never hand it to another site in a Referer header.
export const metadata: Metadata = { title: 'Invitation · Portcullis', referrer: 'no-referrer' };

/**
 * An invitation link from a mail. Signed in, the invitee accepts it here; signed out, the page says who
 * invited them where, and leads to sign-up (or sign-in), which brings them back here.
 */
export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const userId = await currentUserId();
  return (
    <div className="auth-shell">
      <Link href={userId ? '/dashboard' : '/'} className="brand auth-brand">
        Portcullis
      </Link>
      <main className="card auth-card">
        {userId ? (
          <AcceptInvitation token={token} />
        ) : (
          <InvitationIntro token={token} invitation={await introduceInvitation(serviceDb(), { token })} />
        )}
      </main>
    </div>
  );
}
