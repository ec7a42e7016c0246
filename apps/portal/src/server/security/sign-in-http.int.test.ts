import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getDb } from '@portcullis/db';
import { hashPassword } from '@portcullis/services/password';
import { LOGIN_LIMITS } from '@portcullis/services/verbs/login-guard';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, seedDemo } from '../../../../../prisma/seed';
import { uniq } from '../../../../../test/fixtures';
import { Client, type PortalServer, startPortal } from '../test/portal-server';

/**
 * Sign-in and sign-up limits against the running portal (`next dev`), from several loopback source
 * addresses: what counts as the client is the socket, never a header the client wrote.
 */
const db = getDb();
const PASSWORD = 'right-password-42';
const passwordHash = await hashPassword(PASSWORD);

let portal: PortalServer;
beforeAll(async () => {
  portal = await startPortal({ PORTAL_TRUSTED_PROXIES: '0' });
}, 300_000);
afterAll(async () => {
  await portal?.stop();
});

async function userWithPassword() {
  return db.user.create({
    data: { email: `${uniq('owner')}@example.test`, passwordHash, emailVerified: new Date() },
  });
}

const throttled = (code: string) => code.startsWith('throttled-');

describe('sign-in limits over HTTP', () => {
  it('a spoofed X-Forwarded-For does not escape the per-IP limit when no proxy is trusted', async () => {
    const sprayer = new Client(portal, '127.0.0.21');
    const codes: string[] = [];
    for (let i = 0; i < LOGIN_LIMITS.ipFailuresPerMinute; i++) {
      codes.push(
        await sprayer.signIn(`${uniq('spray')}@example.test`, 'guess-password-1', {
          'x-forwarded-for': `203.0.113.${i + 1}`,
        }),
      );
    }
    expect(codes.every((code) => code === 'credentials')).toBe(true);
    const user = await userWithPassword();
    // the socket address is locked, whatever address the header names next
    expect(
      throttled(await sprayer.signIn(user.email, PASSWORD, { 'x-forwarded-for': '198.51.100.77' })),
    ).toBe(true);
    expect(await db.loginAttempt.count({ where: { ip: { startsWith: '203.0.113.' } } })).toBe(0);
    expect(await db.loginAttempt.count({ where: { ip: '127.0.0.21' } })).toBe(
      LOGIN_LIMITS.ipFailuresPerMinute,
    );
    // another client is not affected
    expect(await new Client(portal, '127.0.0.22').signIn(user.email, PASSWORD)).toBe('ok');
  });

  it('wrong passwords from one client do not lock the owner out from another client', async () => {
    const user = await userWithPassword();
    const attacker = new Client(portal, '127.0.0.31');
    const codes: string[] = [];
    for (let i = 0; i <= LOGIN_LIMITS.accountFailures; i++) {
      codes.push(await attacker.signIn(user.email, `wrong-password-${i}`));
    }
    expect(codes.slice(0, LOGIN_LIMITS.accountFailures)).toEqual(
      Array(LOGIN_LIMITS.accountFailures).fill('credentials'),
    );
    expect(throttled(codes.at(-1) ?? '')).toBe(true);
    // the attacker's client stays locked, even with the right password
    expect(throttled(await attacker.signIn(user.email, PASSWORD))).toBe(true);
    // the owner, from their own address, signs in at once
    const owner = new Client(portal, '127.0.0.32');
    expect(await owner.signIn(user.email, PASSWORD)).toBe('ok');
    expect((await owner.query('auth.me')).data).toMatchObject({ id: user.id });
  });

  it('an unknown email reads exactly like a wrong password, throttle included', async () => {
    const user = await userWithPassword();
    const ghost = `${uniq('ghost')}@example.test`;
    const known = new Client(portal, '127.0.0.33');
    const unknown = new Client(portal, '127.0.0.34');
    const answers = { known: [] as string[], unknown: [] as string[] };
    for (let i = 0; i < 7; i++) {
      answers.known.push(await known.signIn(user.email, 'nope-nope-1'));
      answers.unknown.push(await unknown.signIn(ghost, 'nope-nope-1'));
    }
    const normalise = (codes: string[]) => codes.map((c) => c.replace(/\d+$/, 'N'));
    expect(normalise(answers.unknown)).toEqual(normalise(answers.known));
    expect(normalise(answers.known).slice(-2)).toEqual(['throttled-N', 'throttled-N']);
  });
});

describe('the demo operator', () => {
  it('seeded by npm start signs in, with its address confirmed', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'portcullis-seed-'));
    await seedDemo(db, { upstreamUrl: 'http://127.0.0.1:8090', dataDir });
    const client = new Client(portal, '127.0.0.44');
    expect(await client.signIn(DEMO.email, DEMO.password)).toBe('ok');
    expect((await client.query('auth.me')).data).toMatchObject({ email: DEMO.email, emailVerified: true });
  });
});

describe('sign-up over HTTP', () => {
  it('answers identically whether or not the address has an account; its owner is told instead', async () => {
    const owner = await userWithPassword();
    const fresh = `${uniq('fresh')}@example.test`;
    const client = new Client(portal, '127.0.0.41');
    const taken = await client.mutate('auth.signUp', {
      name: 'Mallory',
      email: owner.email,
      password: 'mallory-password-1',
    });
    const created = await client.mutate('auth.signUp', {
      name: 'Newcomer',
      email: fresh,
      password: 'newcomer-password-1',
    });
    expect(taken.status).toBe(200);
    expect(taken).toEqual(created);
    const notice = await db.mail.findFirstOrThrow({ where: { to: owner.email } });
    expect(notice.subject).toMatch(/tried to register your address/);
    // the owner's account is untouched
    const row = await db.user.findUniqueOrThrow({ where: { id: owner.id } });
    expect(row.passwordHash).toBe(owner.passwordHash);
    expect(await db.user.count({ where: { email: fresh, emailVerified: null } })).toBe(1);
    // the newcomer's confirmation mail holds no readable link
    const confirmation = await db.mail.findFirstOrThrow({ where: { to: fresh } });
    expect(confirmation.secretUntil).toBeInstanceOf(Date);
    expect(confirmation.text).not.toContain('/verify-email/');
  });

  it('limits sign-ups per client address, whatever the addresses signed up', async () => {
    const client = new Client(portal, '127.0.0.42');
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      const email = i % 2 === 0 ? `${uniq('burst')}@example.test` : (await userWithPassword()).email;
      statuses.push(
        (
          await client.mutate('auth.signUp', {
            name: 'Burst',
            email,
            password: 'burst-password-1',
          })
        ).status,
      );
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(200));
    expect(statuses[10]).toBe(429);
    const spoofed = await client.send('/api/trpc/auth.signUp', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        origin: portal.url,
        'x-forwarded-for': '198.51.100.9',
      },
      body: JSON.stringify({
        json: { name: 'Burst', email: `${uniq('burst')}@example.test`, password: 'burst-password-1' },
      }),
    });
    expect(spoofed.status).toBe(429);
    const other = await new Client(portal, '127.0.0.43').mutate('auth.signUp', {
      name: 'Other',
      email: `${uniq('other')}@example.test`,
      password: 'other-password-1',
    });
    expect(other.status).toBe(200);
  });
});
