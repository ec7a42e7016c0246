import { randomInt } from 'node:crypto';
import { getDb } from '@portcullis/db';
import { describe, expect, it } from 'vitest';
import { seedUser, uniq } from '../../../../test/fixtures.ts';
import { hashPassword } from '../password.ts';
import { guardedSignIn, pruneLoginAttempts, type SignInOutcome, signInWithOAuth } from './login-guard.ts';
import { startSession } from './sessions.ts';

const db = getDb();
const PASSWORD = 'right-password-42';
const passwordHash = await hashPassword(PASSWORD);
const randomIp = () => `198.18.${randomInt(256)}.${randomInt(256)}`;
const later = (base: Date, ms: number) => new Date(base.getTime() + ms);

async function userWithPassword() {
  return db.user.create({ data: { email: `${uniq('login')}@example.test`, passwordHash } });
}

/** What the caller (and so the person at the form) learns: no user ids, just the outcome. */
const shown = (outcome: SignInOutcome) =>
  outcome.ok ? 'ok' : outcome.reason === 'throttled' ? `throttled:${outcome.retryAfterSeconds}` : 'invalid';

describe('guardedSignIn', () => {
  it('5 failures pass, the 6th attempt is throttled (even with the right password), then backoff doubles', async () => {
    const user = await userWithPassword();
    const ip = randomIp();
    const t0 = new Date();
    const attempt = (password: string, at: Date) =>
      guardedSignIn({ db }, { email: user.email, password, ip }, at);
    for (let i = 0; i < 5; i++) expect(shown(await attempt('wrong-password', t0))).toBe('invalid');
    expect(shown(await attempt('wrong-password', t0))).toBe('throttled:60');
    expect(shown(await attempt(PASSWORD, later(t0, 30_000)))).toBe('throttled:30');
    // throttled attempts are not recorded
    expect(await db.loginAttempt.count({ where: { email: user.email } })).toBe(5);

    // after the wait one more failure: now 120 s
    expect(shown(await attempt('wrong-password', later(t0, 60_000)))).toBe('invalid');
    expect(shown(await attempt(PASSWORD, later(t0, 61_000)))).toBe('throttled:119');
    const ok = await attempt(PASSWORD, later(t0, 180_000));
    expect(ok).toEqual({
      ok: true,
      user: { id: user.id, email: user.email, name: null },
      passwordStamp: expect.any(String),
    });
    // a success starts the count again
    expect(shown(await attempt('wrong-password', later(t0, 181_000)))).toBe('invalid');
    expect(shown(await attempt(PASSWORD, later(t0, 182_000)))).toBe('ok');
    const rows = await db.loginAttempt.findMany({ where: { email: user.email }, orderBy: { at: 'asc' } });
    expect(rows.map((r) => r.succeeded)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
      true,
      false,
      true,
    ]);
    expect(new Set(rows.map((r) => r.ip))).toEqual(new Set([ip]));
  });

  it('an unknown email gets exactly the answers a wrong password gets', async () => {
    const user = await userWithPassword();
    const t0 = new Date();
    const known: string[] = [];
    const unknown: string[] = [];
    const ghost = `${uniq('ghost')}@example.test`;
    const [knownIp, unknownIp] = [randomIp(), randomIp()];
    for (let i = 0; i < 7; i++) {
      known.push(
        shown(await guardedSignIn({ db }, { email: user.email, password: 'nope', ip: knownIp }, t0)),
      );
      unknown.push(shown(await guardedSignIn({ db }, { email: ghost, password: 'nope', ip: unknownIp }, t0)));
    }
    expect(known).toEqual([
      'invalid',
      'invalid',
      'invalid',
      'invalid',
      'invalid',
      'throttled:60',
      'throttled:60',
    ]);
    expect(unknown).toEqual(known);
    // the email is matched case-insensitively, as sign-in does
    expect(
      shown(await guardedSignIn({ db }, { email: ghost.toUpperCase(), password: 'x', ip: unknownIp }, t0)),
    ).toBe('throttled:60');
  });

  it('failures from one client never lock the account for another client', async () => {
    const user = await userWithPassword();
    const [attackerIp, ownerIp] = [randomIp(), randomIp()];
    const t0 = new Date();
    // an attacker renewing the lock for an hour, as fast as it lets them
    for (let minute = 0; minute < 60; minute += 1) {
      await guardedSignIn(
        { db },
        { email: user.email, password: 'guess', ip: attackerIp },
        later(t0, minute * 60_000),
      );
    }
    const at = later(t0, 60 * 60_000 - 1000);
    expect(
      shown(await guardedSignIn({ db }, { email: user.email, password: PASSWORD, ip: attackerIp }, at)),
    ).toMatch(/^throttled:/);
    expect(
      shown(await guardedSignIn({ db }, { email: user.email, password: PASSWORD, ip: ownerIp }, at)),
    ).toBe('ok');
  });

  it('20 failures from one IP within a minute lock that IP for every account, not others', async () => {
    const ip = randomIp();
    const t0 = new Date();
    for (let i = 0; i < 20; i++) {
      const email = `${uniq('spray')}@example.test`;
      expect(shown(await guardedSignIn({ db }, { email, password: 'guess', ip }, later(t0, i * 1000)))).toBe(
        'invalid',
      );
    }
    const user = await userWithPassword();
    const at = later(t0, 20_000);
    expect(shown(await guardedSignIn({ db }, { email: user.email, password: PASSWORD, ip }, at))).toBe(
      'throttled:59',
    );
    expect(
      shown(await guardedSignIn({ db }, { email: user.email, password: PASSWORD, ip: randomIp() }, at)),
    ).toBe('ok');
    // a success from that IP does not lift the IP lock
    expect(
      shown(await guardedSignIn({ db }, { email: user.email, password: PASSWORD, ip }, later(at, 1000))),
    ).toBe('throttled:58');
  });

  it('a burst of parallel guesses is counted as it happens: at most 5 reach the password check', async () => {
    const user = await userWithPassword();
    const t0 = new Date();
    const ip = randomIp();
    const outcomes = await Promise.all(
      Array.from({ length: 12 }, () =>
        guardedSignIn({ db }, { email: user.email, password: 'parallel', ip }, t0),
      ),
    );
    const labels = outcomes.map(shown);
    expect(labels.filter((l) => l === 'invalid')).toHaveLength(5);
    expect(labels.filter((l) => l.startsWith('throttled'))).toHaveLength(7);
    expect(await db.loginAttempt.count({ where: { email: user.email } })).toBe(5);
  });

  it('prunes attempts older than a day, opportunistically', async () => {
    const old = await db.loginAttempt.create({
      data: {
        email: 'old@example.test',
        ip: randomIp(),
        succeeded: false,
        at: new Date(Date.now() - 25 * 3600_000),
      },
    });
    const recent = await db.loginAttempt.create({
      data: {
        email: 'recent@example.test',
        ip: randomIp(),
        succeeded: false,
        at: new Date(Date.now() - 3600_000),
      },
    });
    expect(await pruneLoginAttempts(db)).toBeGreaterThanOrEqual(1);
    expect(await db.loginAttempt.findUnique({ where: { id: old.id } })).toBeNull();
    expect(await db.loginAttempt.findUnique({ where: { id: recent.id } })).not.toBeNull();

    const stale = await db.loginAttempt.create({
      data: {
        email: 'stale@example.test',
        ip: randomIp(),
        succeeded: false,
        at: new Date(Date.now() - 30 * 3600_000),
      },
    });
    // within 10 minutes of the last prune: left alone; later: gone as a side effect of a sign-in
    await guardedSignIn({ db }, { email: `${uniq('p')}@example.test`, password: 'x', ip: randomIp() });
    expect(await db.loginAttempt.findUnique({ where: { id: stale.id } })).not.toBeNull();
    await guardedSignIn(
      { db },
      { email: `${uniq('p')}@example.test`, password: 'x', ip: randomIp() },
      new Date(Date.now() + 11 * 60_000),
    );
    expect(await db.loginAttempt.findUnique({ where: { id: stale.id } })).toBeNull();
  });
});

describe('signInWithOAuth', () => {
  const identity = (email: string | null, emailVerified: boolean, providerAccountId = uniq('gh')) => ({
    provider: 'github',
    providerAccountId,
    email,
    emailVerified,
    name: 'Octo Cat',
  });

  it('links an existing account only through a verified email', async () => {
    const existing = await seedUser(db, 'oauth');
    const unverified = identity(existing.email, false);
    expect(await signInWithOAuth({ db }, unverified)).toBeNull();
    expect(await db.account.count({ where: { userId: existing.id } })).toBe(0);

    const verified = identity(existing.email.toUpperCase(), true);
    const linked = await signInWithOAuth({ db }, verified);
    expect(linked?.id).toBe(existing.id);
    const accounts = await db.account.findMany({ where: { userId: existing.id } });
    expect(accounts).toEqual([
      expect.objectContaining({ provider: 'github', providerAccountId: verified.providerAccountId }),
    ]);
    expect(await db.auditLog.count({ where: { actorId: existing.id, action: 'user.linkOAuth' } })).toBe(1);

    // later sign-ins go by the provider account, whatever email the provider reports then
    const again = await signInWithOAuth(
      { db },
      { ...verified, email: 'changed@example.test', emailVerified: false },
    );
    expect(again?.id).toBe(existing.id);
  });

  it('takes over an account whose address was never confirmed: its password goes, its sessions end', async () => {
    const squatted = await db.user.create({
      data: { email: `${uniq('squat')}@example.test`, passwordHash: await hashPassword('squatter-pass-1') },
    });
    const squatterSession = await startSession(db, squatted.id);
    const owner = await signInWithOAuth({ db }, identity(squatted.email, true));
    expect(owner?.id).toBe(squatted.id);
    const row = await db.user.findUniqueOrThrow({ where: { id: squatted.id } });
    expect(row.passwordHash).toBeNull();
    expect(row.emailVerified).toBeInstanceOf(Date);
    expect(await db.userSession.findUnique({ where: { id: squatterSession ?? '' } })).toBeNull();
    expect(
      await guardedSignIn({ db }, { email: squatted.email, password: 'squatter-pass-1', ip: randomIp() }),
    ).toEqual({ ok: false, reason: 'invalid' });
  });

  it('creates a user for a new verified email, and none without an email', async () => {
    const email = `${uniq('fresh')}@example.test`;
    const created = await signInWithOAuth({ db }, identity(email, true));
    const user = await db.user.findUniqueOrThrow({ where: { email } });
    expect(created?.id).toBe(user.id);
    expect(user.passwordHash).toBeNull();
    expect(user.emailVerified).toBeInstanceOf(Date);
    expect(await signInWithOAuth({ db }, identity(null, true))).toBeNull();
    const ghost = `${uniq('unverified')}@example.test`;
    expect(await signInWithOAuth({ db }, identity(ghost, false))).toBeNull();
    expect(await db.user.count({ where: { email: ghost } })).toBe(0);
  });
});
