import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { currentUserId } from '../../../server/auth';
import { AcceptInvitation } from './accept-invitation';

// The token is in the path: never hand it to another site in a Referer header.
export const metadata: Metadata = { title: 'Invitation · Portcullis', referrer: 'no-referrer' };

/** An invitation link from a mail. Signing in (or up) first brings the visitor back here. */
export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const userId = await currentUserId();
  if (!userId) redirect(`/signin?callbackUrl=${encodeURIComponent(`/invite/${encodeURIComponent(token)}`)}`);
  return (
    <div className="auth-shell">
      <Link href="/dashboard" className="brand auth-brand">
        Portcullis
      </Link>
      <main className="card auth-card">
        <AcceptInvitation token={token} />
      </main>
    </div>
  );
}
