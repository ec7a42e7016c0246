import { Auth, type AuthConfig } from '@auth/core';
import Credentials from '@auth/core/providers/credentials';
import { describe, expect, it, vi } from 'vitest';
import { env } from '../../env';
import { authConfig } from '../auth.config';
import { db, seedUser, uniq } from '../test/harness';

// The route reads the session through next-auth; the tests decide who is signed in.
const session = vi.hoisted(() => ({ userId: null as string | null }));
vi.mock('../auth', () => ({ currentUserId: async () => session.userId }));

const { GET, POST } = await import('../../app/api/trpc/[trpc]/route');

const PORTAL = 'http://portal.test';

/** A tRPC mutation over HTTP as the signed-in `userId`, with the browser headers given. */
async function createOrgOverHttp(userId: string, headers: Record<string, string>) {
  session.userId = userId;
  const slug = uniq('csrf');
  const res = await POST(
    new Request(`${PORTAL}/api/trpc/org.create`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ json: { name: 'Csrf', slug } }),
    }),
  );
  const created = await db.organization.findUnique({ where: { slug } });
  return { res, created };
}

describe('tRPC over HTTP: cross-site mutations', () => {
  it('refuses a mutation sent from another origin with the session cookie, and changes nothing', async () => {
    const user = await seedUser(db, 'victim');
    for (const headers of [
      { origin: 'https://evil.example' },
      { origin: 'null' },
      { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'cross-site' },
      { origin: 'https://sibling.portal.test', 'sec-fetch-site': 'same-site' },
    ] as Array<Record<string, string>>) {
      const { res, created } = await createOrgOverHttp(user.id, headers);
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('FORBIDDEN');
      expect(created).toBeNull();
    }
    expect(await db.membership.count({ where: { userId: user.id } })).toBe(0);
  });

  it('accepts the portal’s own pages, its public origin and non-browser callers', async () => {
    const user = await seedUser(db, 'member');
    for (const headers of [
      { origin: PORTAL, 'sec-fetch-site': 'same-origin' },
      { origin: new URL(env.PORTAL_PUBLIC_URL).origin },
      {},
    ] as Array<Record<string, string>>) {
      const { res, created } = await createOrgOverHttp(user.id, headers);
      expect(res.status, JSON.stringify(headers)).toBe(200);
      expect(created).not.toBeNull();
    }
  });

  it('leaves queries (GET) alone and sends no CORS grant, so other sites cannot read answers', async () => {
    const user = await seedUser(db, 'reader');
    session.userId = user.id;
    const res = await GET(
      new Request(`${PORTAL}/api/trpc/auth.me`, {
        headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      }),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});

/**
 * next-auth's POST endpoints (sign-in callback, sign-out) require its double-submit CSRF token: the
 * `csrfToken` field must match the signed `authjs.csrf-token` cookie, which another site cannot read.
 * The portal's shared auth config with a credentials provider that counts its calls.
 */
function authWith(authorize: () => void): AuthConfig {
  return {
    ...authConfig,
    basePath: '/api/auth',
    trustHost: true,
    logger: { error: () => {} },
    providers: [
      Credentials({
        credentials: { email: {}, password: {} },
        authorize: async (credentials) => {
          authorize();
          return { id: 'user-1', email: String(credentials.email) };
        },
      }),
    ],
  } as AuthConfig;
}

async function csrfPair(config: AuthConfig) {
  const res = await Auth(new Request(`${PORTAL}/api/auth/csrf`), config);
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .find((c) => c.startsWith('authjs.csrf-token='))!;
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return { cookie, csrfToken };
}

function authPost(config: AuthConfig, path: string, form: Record<string, string>, cookie?: string) {
  return Auth(
    new Request(`${PORTAL}/api/auth/${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: 'https://evil.example',
        ...(cookie ? { cookie } : {}),
      },
      body: new URLSearchParams(form),
    }),
    config,
  );
}

describe('next-auth POST endpoints: CSRF token', () => {
  it('refuses a sign-in without the token (or with a forged one) before checking credentials', async () => {
    let calls = 0;
    const config = authWith(() => calls++);
    const { cookie } = await csrfPair(config);
    for (const [form, sentCookie] of [
      [{ email: 'a@example.test', password: 'x' }, undefined],
      [{ email: 'a@example.test', password: 'x', csrfToken: 'forged' }, cookie],
      [{ email: 'a@example.test', password: 'x', csrfToken: 'forged' }, 'authjs.csrf-token=forged%7Cforged'],
    ] as const) {
      const res = await authPost(config, 'callback/credentials', form, sentCookie);
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toBe(`${PORTAL}/signin?error=MissingCSRF`);
      expect(res.headers.getSetCookie().some((c) => c.startsWith('authjs.session-token='))).toBe(false);
    }
    expect(calls).toBe(0);
  });

  it('refuses a sign-out without the token', async () => {
    const config = authWith(() => {});
    const res = await authPost(config, 'signout', {});
    expect(res.headers.get('location')).toBe(`${PORTAL}/signin?error=MissingCSRF`);
  });

  it('with the token, signs in and sends every hostile callbackUrl to the portal itself', async () => {
    let calls = 0;
    const config = authWith(() => calls++);
    for (const callbackUrl of [
      '//evil.com',
      'https://evil.com',
      '/\\evil.com',
      'javascript:alert(1)',
      '%2F%2Fevil.com',
    ]) {
      const { cookie, csrfToken } = await csrfPair(config);
      const res = await authPost(
        config,
        'callback/credentials',
        { email: 'a@example.test', password: 'x', csrfToken, callbackUrl },
        cookie,
      );
      expect(res.status).toBe(302);
      const location = new URL(res.headers.get('location')!);
      expect(location.origin, callbackUrl).toBe(PORTAL);
      expect(location.pathname.startsWith('//'), callbackUrl).toBe(false);
      expect(res.headers.getSetCookie().some((c) => c.startsWith('authjs.session-token='))).toBe(true);
    }
    expect(calls).toBe(5);
  });
});
