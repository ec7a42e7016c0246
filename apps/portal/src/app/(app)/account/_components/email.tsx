'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Field, FormMessage } from '~/components/ui/field';
import { fieldErrors, formError, useTRPC } from '../../../../trpc/client';

interface Profile {
  email: string;
  emailVerified: boolean;
  hasPassword: boolean;
  pendingEmail: string | null;
}

function Resend() {
  const trpc = useTRPC();
  const resend = useMutation(trpc.account.resendVerification.mutationOptions());
  return (
    <>
      <button type="button" className="secondary" disabled={resend.isPending} onClick={() => resend.mutate()}>
        {resend.isPending ? 'Sending…' : 'Send a new confirmation link'}
      </button>
      <FormMessage message={formError(resend.error)} />
      {resend.isSuccess ? (
        <p className="saved" role="status">
          {resend.data.sent ? `We sent a new link to ${resend.data.email}.` : 'Your address is confirmed.'}
        </p>
      ) : null}
    </>
  );
}

function ChangeEmail({ hasPassword }: { hasPassword: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState('');
  const [currentPassword, setCurrentPassword] = useState('');
  const change = useMutation(
    trpc.account.changeEmail.mutationOptions({
      onSuccess: () => {
        setCurrentPassword('');
        return queryClient.invalidateQueries({ queryKey: trpc.account.profile.queryKey() });
      },
    }),
  );
  const errors = fieldErrors(change.error);
  if (!hasPassword) {
    return <p className="muted">To change your address, first set a password with “Forgot password”.</p>;
  }
  function onSubmit(event: FormEvent) {
    event.preventDefault();
    change.mutate({ email, currentPassword });
  }
  return (
    <form onSubmit={onSubmit} noValidate aria-labelledby="change-email-heading">
      <h3 id="change-email-heading">Change your address</h3>
      <Field
        id="new-email"
        label="New email address"
        type="email"
        autoComplete="email"
        value={email}
        error={errors.email}
        onChange={(e) => setEmail(e.target.value)}
      />
      <Field
        id="email-current-password"
        label="Current password"
        type="password"
        autoComplete="current-password"
        value={currentPassword}
        error={errors.currentPassword}
        onChange={(e) => setCurrentPassword(e.target.value)}
      />
      <FormMessage message={formError(change.error)} />
      <button type="submit" disabled={change.isPending}>
        {change.isPending ? 'Sending…' : 'Send confirmation link'}
      </button>
      {change.isSuccess ? (
        <p className="saved" role="status">
          {change.data.message}
        </p>
      ) : null}
    </form>
  );
}

export function EmailCard({ profile }: { profile: Profile }) {
  return (
    <section className="card" aria-labelledby="email-heading">
      <h2 id="email-heading">Email address</h2>
      <p>
        <strong>{profile.email}</strong>{' '}
        {profile.emailVerified ? (
          <span className="badge status-active">confirmed</span>
        ) : (
          <span className="badge status-pending">not confirmed</span>
        )}
      </p>
      {profile.emailVerified ? null : (
        <>
          <p className="muted">
            Follow the link we mailed to this address to confirm it is yours. Until then you cannot accept
            invitations to organizations.
          </p>
          <Resend />
        </>
      )}
      {profile.pendingEmail ? (
        <p className="muted">
          Waiting for confirmation of <strong>{profile.pendingEmail}</strong>: your address changes once its
          link is followed.
        </p>
      ) : null}
      <ChangeEmail hasPassword={profile.hasPassword} />
    </section>
  );
}
