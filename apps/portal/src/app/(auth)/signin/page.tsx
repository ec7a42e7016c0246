'use client';

import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { getProviders, signIn } from 'next-auth/react';
import { type FormEvent, Suspense, useEffect, useState } from 'react';
import { Field, FormMessage } from '~/components/ui/field';
import { safeCallbackUrl } from '../safe-callback';
import { pageErrorMessage, signInErrorMessage } from './messages';

type ClientSafeProvider = NonNullable<Awaited<ReturnType<typeof getProviders>>>[string];

function OAuthButtons({ callbackUrl }: { callbackUrl: string }) {
  const [providers, setProviders] = useState<ClientSafeProvider[]>([]);
  useEffect(() => {
    let live = true;
    getProviders()
      .then((all) => {
        if (live && all)
          setProviders(Object.values(all).filter((p) => p.type === 'oauth' || p.type === 'oidc'));
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, []);
  if (providers.length === 0) return null;
  return (
    <>
      <p className="muted">Or continue with another account:</p>
      <div className="actions">
        {providers.map((provider) => (
          <button
            key={provider.id}
            type="button"
            className="secondary"
            onClick={() => signIn(provider.id, { redirectTo: callbackUrl })}
          >
            Continue with {provider.name}
          </button>
        ))}
      </div>
    </>
  );
}

function SignInForm() {
  const params = useSearchParams();
  const callbackUrl = safeCallbackUrl(params.get('callbackUrl'));
  const pageError = pageErrorMessage(params.get('error'));
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(pageError);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    setPending(true);
    setError(null);
    try {
      const result = await signIn('credentials', { email, password, redirect: false });
      if (!result || result.error) {
        setError(signInErrorMessage(result?.code));
        setPending(false);
        return;
      }
      window.location.assign(callbackUrl);
    } catch {
      setError('Could not reach the server. Please try again.');
      setPending(false);
    }
  }

  const withCallback = (path: string) =>
    callbackUrl === '/dashboard' ? path : `${path}?callbackUrl=${encodeURIComponent(callbackUrl)}`;

  return (
    <form onSubmit={onSubmit} noValidate>
      <h1>Sign in</h1>
      <Field
        id="email"
        label="Email"
        type="email"
        autoComplete="email"
        required
        value={email}
        onChange={(e) => setEmail(e.target.value)}
      />
      <Field
        id="password"
        label="Password"
        type="password"
        autoComplete="current-password"
        required
        value={password}
        onChange={(e) => setPassword(e.target.value)}
      />
      <p className="hint">
        <Link href="/forgot-password">Forgot password?</Link>
      </p>
      <FormMessage message={error} />
      <button type="submit" disabled={pending}>
        {pending ? 'Signing in…' : 'Sign in'}
      </button>
      <OAuthButtons callbackUrl={callbackUrl} />
      <p className="muted">
        No account yet? <Link href={withCallback('/signup')}>Create one</Link>
      </p>
    </form>
  );
}

export default function SignInPage() {
  return (
    <Suspense fallback={null}>
      <SignInForm />
    </Suspense>
  );
}
