import { ZSignIn } from '@portcullis/core/schemas';
import { clientIpFromForwardedFor, guardedSignIn, signInWithOAuth } from '@portcullis/core/verbs/login-guard';
import { getDb } from '@portcullis/db';
import NextAuth, { type Account, CredentialsSignin, type DefaultSession, type Profile } from 'next-auth';
import Credentials from 'next-auth/providers/credentials';
import GitHub from 'next-auth/providers/github';
import Google from 'next-auth/providers/google';
import { env } from '../env';
import { authConfig } from './auth.config';

declare module 'next-auth' {
  interface Session {
    user: { id: string } & DefaultSession['user'];
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

export const { handlers, auth, signIn, signOut } = NextAuth({
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
        const ip = clientIpFromForwardedFor(
          request.headers.get('x-forwarded-for'),
          env.PORTAL_TRUSTED_PROXIES,
        );
        const outcome = await guardedSignIn({ db: getDb() }, { ...parsed.data, ip });
        if (outcome.ok) return { id: outcome.user.id, email: outcome.user.email, name: outcome.user.name };
        if (outcome.reason === 'throttled') throw new ThrottledSignIn(outcome.retryAfterSeconds);
        return null;
      },
    }),
    ...oauthProviders,
  ],
  callbacks: {
    ...authConfig.callbacks,
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
