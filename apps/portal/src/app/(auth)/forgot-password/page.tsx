'use client';

import { useMutation } from '@tanstack/react-query';
import Link from 'next/link';
import { type FormEvent, useState } from 'react';
import { Field, FormMessage } from '~/components/ui/field';
import { fieldErrors, formError, useTRPC } from '../../../trpc/client';

export default function ForgotPasswordPage() {
  const trpc = useTRPC();
  const [email, setEmail] = useState('');
  const request = useMutation(trpc.account.requestPasswordReset.mutationOptions());
  const errors = fieldErrors(request.error);

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    request.mutate({ email });
  }

  if (request.isSuccess) {
    return (
      <>
        <h1>Check your mail</h1>
        <p role="status">{request.data.message}</p>
        <p className="muted">
          No mail server configured? A platform administrator finds it on the Outbox page.
        </p>
        <p>
          <Link href="/signin">Back to sign in</Link>
        </p>
      </>
    );
  }

  return (
    <form onSubmit={onSubmit} noValidate>
      <h1>Forgot your password?</h1>
      <p className="muted">
        Enter your account's email and we will send you a link to choose a new password.
      </p>
      <Field
        id="email"
        label="Email"
        type="email"
        autoComplete="email"
        required
        value={email}
        error={errors.email}
        onChange={(e) => setEmail(e.target.value)}
      />
      <FormMessage message={formError(request.error)} />
      <button type="submit" disabled={request.isPending}>
        {request.isPending ? 'Sending…' : 'Send reset link'}
      </button>
      <p className="muted">
        Remembered it? <Link href="/signin">Sign in</Link>
      </p>
    </form>
  );
}
