import type { Metadata } from 'next';
import { ResetPasswordForm } from './reset-form';

// The token is in the path: never hand it to another site in a Referer header.
export const metadata: Metadata = { title: 'Choose a new password · Portcullis', referrer: 'no-referrer' };

export default async function ResetPasswordPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  return <ResetPasswordForm token={token} />;
}
