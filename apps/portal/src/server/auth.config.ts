import type { NextAuthConfig } from 'next-auth';
import { env } from '../env';
import { safeAuthRedirect } from './security/redirect';

/**
 * The part of the auth config that needs no database: shared by the proxy (route guard) and
 * the full config in auth.ts, which adds the credentials provider.
 */
export const authConfig = {
  secret: env.AUTH_SECRET,
  trustHost: env.AUTH_TRUST_HOST || env.AUTH_URL !== undefined || env.NODE_ENV !== 'production',
  session: { strategy: 'jwt', maxAge: 30 * 24 * 60 * 60 },
  // OAuth failures come back to the sign-in page as `?error=<code>`, which it maps to fixed messages.
  pages: { signIn: '/signin', error: '/signin' },
  logger: {
    // A wrong password is an expected outcome, not a server error worth a stack trace.
    error(error) {
      if ((error as { type?: string }).type === 'CredentialsSignin') return;
      console.error('[auth]', error);
    },
  },
  providers: [],
  callbacks: {
    /** `callbackUrl` / `redirectTo` are attacker-controlled: same-origin only (no open redirect). */
    redirect: ({ url, baseUrl }) => safeAuthRedirect(url, baseUrl),
    jwt({ token, user }) {
      if (user?.id) token.sub = user.id;
      return token;
    },
    session({ session, token }) {
      if (token.sub) session.user.id = token.sub;
      return session;
    },
  },
} satisfies NextAuthConfig;
