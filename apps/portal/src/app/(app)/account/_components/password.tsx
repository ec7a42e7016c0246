'use client';

import { useMutation } from '@tanstack/react-query';
import { signIn } from 'next-auth/react';
import { type FormEvent, useState } from 'react';
import { Field, FormMessage } from '~/components/ui/field';
import { fieldErrors, formError, useTRPC } from '../../../../trpc/client';

/** Changing the password ends every session, this one too: the page signs in again with the new one. */
export function PasswordCard({ email, hasPassword }: { email: string; hasPassword: boolean }) {
  const trpc = useTRPC();
  const [currentPassword, setCurrentPassword] = useState('');
  const [password, setPassword] = useState('');
  const [done, setDone] = useState(false);
  const change = useMutation(
    trpc.account.changePassword.mutationOptions({
      onSuccess: async () => {
        const result = await signIn('credentials', { email, password, redirect: false });
        if (!result || result.error) window.location.assign('/signin');
        setCurrentPassword('');
        setPassword('');
        setDone(true);
      },
    }),
  );
  const errors = fieldErrors(change.error);
  if (!hasPassword) return null;

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    setDone(false);
    change.mutate({ currentPassword, password });
  }

  return (
    <form className="card" onSubmit={onSubmit} noValidate aria-labelledby="password-heading">
      <h2 id="password-heading">Password</h2>
      <p className="muted">Changing it signs you out everywhere else.</p>
      <Field
        id="current-password"
        label="Current password"
        type="password"
        autoComplete="current-password"
        value={currentPassword}
        error={errors.currentPassword}
        onChange={(e) => setCurrentPassword(e.target.value)}
      />
      <Field
        id="new-password"
        label="New password"
        type="password"
        autoComplete="new-password"
        value={password}
        error={errors.password}
        hint="At least 10 characters, with letters and digits."
        onChange={(e) => setPassword(e.target.value)}
      />
      <FormMessage message={formError(change.error)} />
      <button type="submit" disabled={change.isPending}>
        {change.isPending ? 'Changing…' : 'Change password'}
      </button>
      {done ? (
        <p className="saved" role="status">
          Password changed. Every other session was signed out.
        </p>
      ) : null}
    </form>
  );
}
