import { ZSignIn } from '@portcullis/core/schemas';
import { getDb } from '@portcullis/db';
import { guardedSignIn, signInWithOAuth } from '@portcullis/services/verbs/login-guard';
import { endSession, startSession } from '@portcullis/services/verbs/sessions';
import NextAuth, { type Account, CredentialsSignin, type DefaultSession, type Profile } from 'next-auth';
import Credentials from 'next-auth/providers/credentials';
import GitHub from 'next-auth/providers/github';
import Google from 'next-auth/providers/google';
import { env } from '../env';
import { authConfig } from './auth.config';
import { clientAddressFromHeaders } from './client-address';
import { forgetSessions, isSessionLive } from './session-check';

declare module 'next-auth' {
  interface Session {
    user: { id: string } & DefaultSession['user'];
  }
  interface User {
    /** set by the credentials provider, which starts the session itself */
    sessionId?: string;
  }
}

declare module '@auth/core/jwt' {
  interface JWT {
    /** the UserSession this cookie belongs to; the cookie is refused once that row is gone */
    sid?: string;
  }
}

/**
 * Refused by the brute-force guard. next-auth puts `code` in the sign-in response, which the sign-in
 * page turns into "Try again in N s"; it reads the same for unknown emails and wrong passwords.
 */
class ThrottledSignIn extends CredentialsSignin {
  constructor(retryAfterSeconds: number) {
    super();
    this.code = `throttled-${retryAfterSeconds}`;
  }
}

/** Sign-in page path when an OAuth provider gives no verified email. */
const OAUTH_UNVERIFIED_PATH = '/signin?error=OAuthEmailNotVerified';

/** GitHub's profile email can be unverified; /user/emails says which address is verified. */
async function githubVerifiedEmail(accessToken: string | undefined): Promise<string | null> {
  if (!accessToken) return null;
  const res = await fetch('https://api.github.com/user/emails', {
    headers: {
      authorization: `Bearer ${accessToken}`,
      'user-agent': 'portcullis',
      accept: 'application/json',
    },
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) return null;
  const emails = (await res.json()) as Array<{ email: string; primary: boolean; verified: boolean }>;
  return emails.find((e) => e.primary && e.verified)?.email ?? null;
}

async function verifiedOAuthEmail(account: Account, profile: Profile | undefined) {
  if (account.provider === 'google') {
    return profile?.email_verified === true && profile.email ? profile.email : null;
  }
  if (account.provider === 'github') return githubVerifiedEmail(account.access_token);
  return null;
}

const oauthProviders = [
  ...(env.AUTH_GITHUB_ID && env.AUTH_GITHUB_SECRET
    ? [
        GitHub({
          clientId: env.AUTH_GITHUB_ID,
          clientSecret: env.AUTH_GITHUB_SECRET,
          authorization: { params: { scope: 'read:user user:email' } },
        }),
      ]
    : []),
  ...(env.AUTH_GOOGLE_ID && env.AUTH_GOOGLE_SECRET
    ? [Google({ clientId: env.AUTH_GOOGLE_ID, clientSecret: env.AUTH_GOOGLE_SECRET })]
    : []),
];

export const { handlers, auth } = NextAuth({
  ...authConfig,
  providers: [
    Credentials({
      credentials: {
        email: { label: 'Email', type: 'email' },
        password: { label: 'Password', type: 'password' },
      },
      async authorize(credentials, request) {
        const parsed = ZSignIn.safeParse(credentials);
        // Malformed input gets the same answer as a wrong password.
        if (!parsed.success) return null;
        const ip = clientAddressFromHeaders(request.headers, env.AUTH_SECRET);
        const outcome = await guardedSignIn({ db: getDb() }, { ...parsed.data, ip });
        if (!outcome.ok) {
          if (outcome.reason === 'throttled') throw new ThrottledSignIn(outcome.retryAfterSeconds);
          return null;
        }
        // Started here rather than in the jwt callback so that a password changed since the check
        // (a sign-in straddling a reset) fails like a wrong password instead of minting a session.
        const sessionId = await startSession(getDb(), outcome.user.id, {
          passwordStamp: outcome.passwordStamp,
        });
        if (!sessionId) return null;
        return { ...outcome.user, sessionId };
      },
    }),
    ...oauthProviders,
  ],
  events: {
    /** Signing out ends the session itself, not just this browser's copy of the cookie. */
    async signOut(message) {
      const sid = 'token' in message ? message.token?.sid : undefined;
      if (!sid) return;
      await endSession(getDb(), sid);
      forgetSessions([sid]);
    },
  },
  callbacks: {
    ...authConfig.callbacks,
    /**
     * Every read of the session: a cookie counts only while its UserSession is live (checked through a
     * cache of at most SESSION_CHECK_TTL_MS), so signing out, a password change or reset and "sign out
     * everywhere" end copies of the cookie too. Cookies from before sessions were recorded have no `sid`
     * and are refused (their holders sign in once more).
     */
    async jwt({ token, user }) {
      if (user?.id) {
        token.sub = user.id;
        const sid = user.sessionId ?? (await startSession(getDb(), user.id));
        if (!sid) return null;
        token.sid = sid;
        return token;
      }
      if (!token.sub || !token.sid) return null;
      return (await isSessionLive(getDb(), token.sid, token.sub)) ? token : null;
    },
    /**
     * OAuth: map the provider account to a local user (linking by verified email only). The local id
     * replaces the provider's on `user`, which the jwt callback then stores as the token subject.
     */
    async signIn({ user, account, profile }) {
      if (!account || account.type === 'credentials') return true;
      const local = await signInWithOAuth(
        { db: getDb() },
        {
          provider: account.provider,
          providerAccountId: account.providerAccountId,
          email: await verifiedOAuthEmail(account, profile),
          emailVerified: true,
          name: user.name ?? null,
          image: user.image ?? null,
        },
      );
      if (!local) return OAUTH_UNVERIFIED_PATH;
      user.id = local.id;
      user.email = local.email;
      user.name = local.name;
      return true;
    },
  },
});

/** The signed-in user's id, or null. */
export async function currentUserId(): Promise<string | null> {
  const session = await auth();
  return session?.user?.id ?? null;
}
