'use client';

import { useMutation } from '@tanstack/react-query';
import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { signIn } from 'next-auth/react';
import { type FormEvent, Suspense, useState } from 'react';
import { Field, FormMessage } from '~/components/ui/field';
import { fieldErrors, formError, useTRPC } from '../../../trpc/client';
import { safeCallbackUrl } from '../safe-callback';

export default function SignUpPage() {
  return (
    <Suspense fallback={null}>
      <SignUpForm />
    </Suspense>
  );
}

function SignUpForm() {
  // Back to where the visitor was going (e.g. an invitation), only ever a path on this site.
  const searchParams = useSearchParams();
  const callbackUrl = safeCallbackUrl(searchParams.get('callbackUrl'));
  const trpc = useTRPC();
  const [name, setName] = useState('');
  // An invitation link passes the invited address.
  const [email, setEmail] = useState(searchParams.get('email') ?? '');
  const [password, setPassword] = useState('');
  // The answer is the same whether or not the address was free; only signing in tells, and only the
  // one who chose the password.
  const [checkInbox, setCheckInbox] = useState<string | null>(null);
  const signUp = useMutation(
    trpc.auth.signUp.mutationOptions({
      onSuccess: async (answer) => {
        const result = await signIn('credentials', { email, password, redirect: false });
        if (!result || result.error) {
          setCheckInbox(answer.message);
          return;
        }
        window.location.assign(callbackUrl);
      },
    }),
  );
  const errors = fieldErrors(signUp.error);
  const busy = signUp.isPending || (signUp.isSuccess && !checkInbox);

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    setCheckInbox(null);
    signUp.mutate({ name, email, password });
  }

  if (checkInbox) {
    return (
      <>
        <h1>Check your mail</h1>
        <p role="status">{checkInbox}</p>
        <p className="muted">
          Already have an account with this address? <Link href="/signin">Sign in</Link> or{' '}
          <Link href="/forgot-password">reset your password</Link>.
        </p>
      </>
    );
  }

  return (
    <form onSubmit={onSubmit} noValidate>
      <h1>Create your account</h1>
      <Field
        id="name"
        label="Name"
        autoComplete="name"
        required
        value={name}
        onChange={(e) => setName(e.target.value)}
        error={errors.name}
      />
      <Field
        id="email"
        label="Email"
        type="email"
        autoComplete="email"
        required
        value={email}
        onChange={(e) => setEmail(e.target.value)}
        error={errors.email}
      />
      <Field
        id="password"
        label="Password"
        type="password"
        autoComplete="new-password"
        required
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        error={errors.password}
        hint="At least 10 characters, with letters and digits."
      />
      <FormMessage message={formError(signUp.error)} />
      <button type="submit" disabled={busy}>
        {busy ? 'Creating account…' : 'Create account'}
      </button>
      <p className="muted">
        Already have an account?{' '}
        <Link
          href={
            callbackUrl === '/dashboard'
              ? '/signin'
              : `/signin?callbackUrl=${encodeURIComponent(callbackUrl)}`
          }
        >
          Sign in
        </Link>
      </p>
    </form>
  );
}
