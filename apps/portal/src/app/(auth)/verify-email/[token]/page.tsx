import type { Metadata } from 'next';
import { ConfirmEmail } from './confirm-email';

// The token is in the path: never hand it to another site in a Referer header.
export const metadata: Metadata = { title: 'Confirm your address · Portcullis', referrer: 'no-referrer' };

/** A confirmation link from a mail. Confirming is a click, not the visit: mail scanners follow links. */
export default async function VerifyEmailPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  return <ConfirmEmail token={token} />;
}
