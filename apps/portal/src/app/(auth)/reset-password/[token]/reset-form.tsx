'use client';

import { useMutation } from '@tanstack/react-query';
import Link from 'next/link';
import { type FormEvent, useState } from 'react';
import { Field, FormMessage } from '~/components/ui/field';
import { fieldErrors, formError, useTRPC } from '../../../../trpc/client';

export function ResetPasswordForm({ token }: { token: string }) {
  const trpc = useTRPC();
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [mismatch, setMismatch] = useState<string | null>(null);
  const reset = useMutation(trpc.account.resetPassword.mutationOptions());
  const errors = fieldErrors(reset.error);

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (password !== confirm) {
      setMismatch('The two passwords differ');
      return;
    }
    setMismatch(null);
    reset.mutate({ token, password });
  }

  if (reset.isSuccess) {
    return (
      <>
        <h1>Password changed</h1>
        <p role="status">You can now sign in to {reset.data.email} with your new password.</p>
        <p>
          <Link className="button" href="/signin">
            Sign in
          </Link>
        </p>
      </>
    );
  }

  // A bad link is not something a new password fixes: say so and offer a new link.
  const linkProblem = errors.token;
  return (
    <form onSubmit={onSubmit} noValidate>
      <h1>Choose a new password</h1>
      {linkProblem ? (
        <p className="form-error" role="alert">
          {reset.error?.message} <Link href="/forgot-password">Send a new link</Link>
        </p>
      ) : null}
      <Field
        id="password"
        label="New password"
        type="password"
        autoComplete="new-password"
        required
        value={password}
        error={errors.password}
        hint="At least 10 characters, with letters and digits."
        onChange={(e) => setPassword(e.target.value)}
      />
      <Field
        id="confirm"
        label="Confirm password"
        type="password"
        autoComplete="new-password"
        required
        value={confirm}
        error={mismatch ?? undefined}
        onChange={(e) => setConfirm(e.target.value)}
      />
      {linkProblem ? null : <FormMessage message={formError(reset.error)} />}
      <button type="submit" disabled={reset.isPending}>
        {reset.isPending ? 'Saving…' : 'Set new password'}
      </button>
    </form>
  );
}
