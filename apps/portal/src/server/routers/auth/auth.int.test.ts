import { SIGN_UP_MESSAGE, verifyCredentials } from '@portcullis/services/verbs/auth';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { describe, expect, it } from 'vitest';
import { appRouter } from '../../root';
import { callerFor, db, expectTrpcError, uniq } from '../../test/harness';
import { createTrpcContext } from '../../trpc';

/** Calls a mutation over HTTP, so the error formatter's output (what forms see) is what we assert on. */
async function httpMutation(path: string, input: unknown) {
  const res = await fetchRequestHandler({
    endpoint: '/api/trpc',
    req: new Request(`http://portal.test/api/trpc/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ json: input }),
    }),
    router: appRouter,
    createContext: () => createTrpcContext({ db, userId: null, isProduction: true }),
  });
  return {
    status: res.status,
    body: (await res.json()) as {
      result?: unknown;
      error?: { json: { message: string; data: Record<string, unknown> } };
    },
  };
}

describe('auth.signUp', () => {
  it('creates an unconfirmed user with a lower-cased email and an argon2id hash, then credentials verify', async () => {
    const email = `${uniq('New.User')}@Example.TEST`;
    const answer = await callerFor(null).auth.signUp({
      name: 'New User',
      email,
      password: 'correct horse 42',
    });
    expect(answer).toEqual({ message: SIGN_UP_MESSAGE });
    const row = await db.user.findUniqueOrThrow({ where: { email: email.toLowerCase() } });
    expect(row.passwordHash).toMatch(/^\$argon2id\$/);
    expect(row.passwordHash).not.toContain('correct horse 42');
    expect(row.emailVerified).toBeNull();

    expect(await verifyCredentials({ db }, email, 'correct horse 42')).toMatchObject({ id: row.id });
    expect(await verifyCredentials({ db }, email, 'wrong password 1')).toBeNull();
    expect(await verifyCredentials({ db }, `nobody-${email}`, 'correct horse 42')).toBeNull();
    expect(await db.auditLog.count({ where: { action: 'user.signUp', targetId: row.id } })).toBe(1);
  });

  it('answers a registered email exactly like a new one, over HTTP too (no 409)', async () => {
    const email = `${uniq('dup')}@example.test`;
    const first = await httpMutation('auth.signUp', { name: 'A', email, password: 'password123' });
    const again = await httpMutation('auth.signUp', {
      name: 'B',
      email: email.toUpperCase(),
      password: 'password456',
    });
    const fresh = await httpMutation('auth.signUp', {
      name: 'C',
      email: `${uniq('fresh')}@example.test`,
      password: 'password789',
    });
    expect(first.status).toBe(200);
    expect(again).toEqual(first);
    expect(fresh).toEqual(first);
    expect(await db.user.count({ where: { email } })).toBe(1);
    expect((await db.user.findUniqueOrThrow({ where: { email } })).name).toBe('A');
  });

  it('rejects a weak password with a field error on password', async () => {
    await expectTrpcError(
      callerFor(null).auth.signUp({ name: 'W', email: `${uniq('weak')}@example.test`, password: 'short1' }),
      'BAD_REQUEST',
    );
    const noDigit = await httpMutation('auth.signUp', {
      name: 'W',
      email: `${uniq('weak')}@example.test`,
      password: 'onlyletterslong',
    });
    expect(noDigit.status).toBe(400);
    expect(noDigit.body.error?.json.data.fields).toEqual({
      password: 'Password must contain at least one digit',
    });
    const tooShort = await httpMutation('auth.signUp', {
      name: 'W',
      email: `${uniq('weak')}@example.test`,
      password: 'abc123',
    });
    expect(tooShort.body.error?.json.data.fields).toMatchObject({
      password: expect.stringMatching(/at least 10/),
    });
  });

  it('reports an invalid email on the email field', async () => {
    const http = await httpMutation('auth.signUp', {
      name: 'X',
      email: 'not-an-email',
      password: 'password123',
    });
    expect(http.status).toBe(400);
    expect(http.body.error?.json.data.fields).toEqual({ email: 'Enter a valid email address' });
  });
});
