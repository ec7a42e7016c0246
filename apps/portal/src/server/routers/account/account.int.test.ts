import { queueMail } from '@portcullis/services/notify-users';
import { hashPassword } from '@portcullis/services/password';
import { guardedSignIn } from '@portcullis/services/verbs/login-guard';
import { RESET_REQUESTED_MESSAGE } from '@portcullis/services/verbs/password-reset';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { afterEach, describe, expect, it } from 'vitest';
import { newestMailText } from '../../../../../../test/fixtures';
import { env } from '../../../env';
import { db, expectTrpcError, seedUser, uniq } from '../../test/harness';
import { createCallerFactory, createTrpcContext, router } from '../../trpc';
import { accountRouter } from '.';

// root.ts is not this file's to edit: the procedures are mounted on a router of their own here.
const testRouter = router({ account: accountRouter });
const caller = (userId: string | null) => createCallerFactory(testRouter)(createTrpcContext({ db, userId }));

async function http(path: string, input: unknown) {
  const res = await fetchRequestHandler({
    endpoint: '/api/trpc',
    req: new Request(`http://portal.test/api/trpc/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ json: input }),
    }),
    router: testRouter,
    createContext: () => createTrpcContext({ db, userId: null, isProduction: true }),
  });
  return { status: res.status, body: await res.text() };
}

const originalSmtp = env.SMTP_URL;
afterEach(() => {
  env.SMTP_URL = originalSmtp;
});

describe('password reset procedures', () => {
  it('answer identically for known and unknown emails, over HTTP too', async () => {
    const user = await db.user.create({
      data: { email: `${uniq('known')}@example.test`, passwordHash: await hashPassword('old-password-1') },
    });
    const ghost = `${uniq('ghost')}@example.test`;
    const known = await http('account.requestPasswordReset', { email: user.email });
    const unknown = await http('account.requestPasswordReset', { email: ghost });
    expect(known.status).toBe(200);
    expect(unknown).toEqual(known);
    expect(JSON.parse(known.body).result.data.json).toEqual({ message: RESET_REQUESTED_MESSAGE });
    expect(await db.mail.count({ where: { to: user.email } })).toBe(1);
    expect(await db.mail.count({ where: { to: ghost } })).toBe(0);
  });

  it('resets with the mailed link; a weak password is a field error; the new password signs in', async () => {
    const user = await db.user.create({
      data: { email: `${uniq('forgot')}@example.test`, passwordHash: await hashPassword('old-password-1') },
    });
    await caller(null).account.requestPasswordReset({ email: user.email });
    const text = await newestMailText(db, user.email, env.PORTCULLIS_ENCRYPTION_KEY);
    expect(text).toContain(`${env.PORTAL_PUBLIC_URL}/reset-password/`);
    const token = text.match(/\/reset-password\/([A-Za-z0-9_-]{43})/)![1]!;

    const weak = await http('account.resetPassword', { token, password: 'short' });
    expect(weak.status).toBe(400);
    expect(JSON.parse(weak.body).error.json.data.fields).toMatchObject({
      password: expect.stringMatching(/10/),
    });

    expect(await caller(null).account.resetPassword({ token, password: 'fresh-password-2' })).toEqual({
      email: user.email,
    });
    const signIn = await guardedSignIn(
      { db },
      { email: user.email, password: 'fresh-password-2', ip: '198.18.7.7' },
    );
    expect(signIn.ok).toBe(true);
    await expectTrpcError(
      caller(null).account.resetPassword({ token, password: 'again-password-3' }),
      'BAD_REQUEST',
    );
  });
});

describe('notifications', () => {
  async function withNotifications(count: number) {
    const user = await seedUser(db, 'reader');
    for (let i = 0; i < count; i++) {
      await db.notification.create({
        data: {
          userId: user.id,
          kind: 'test',
          title: `note ${i}`,
          createdAt: new Date(Date.now() - (count - i) * 1000),
        },
      });
    }
    return user;
  }

  it('lists only one’s own, newest first, in pages; counts unread', async () => {
    const me = await withNotifications(5);
    const other = await withNotifications(2);
    const first = await caller(me.id).account.notifications({ limit: 3 });
    expect(first.items.map((n) => n.title)).toEqual(['note 4', 'note 3', 'note 2']);
    expect(first.nextCursor).toBe(first.items[2]?.id);
    const second = await caller(me.id).account.notifications({ limit: 3, cursor: first.nextCursor! });
    expect(second.items.map((n) => n.title)).toEqual(['note 1', 'note 0']);
    expect(second.nextCursor).toBeNull();
    expect(await caller(me.id).account.unreadCount()).toBe(5);
    expect(await caller(other.id).account.unreadCount()).toBe(2);
  });

  it('marks read and unread, never someone else’s, with an audit row', async () => {
    const me = await withNotifications(3);
    const other = await withNotifications(1);
    const theirs = await db.notification.findFirstOrThrow({ where: { userId: other.id } });
    const mine = (await caller(me.id).account.notifications({})).items;

    expect(await caller(me.id).account.markRead({ ids: [mine[0]!.id, theirs.id] })).toEqual({ updated: 1 });
    expect((await db.notification.findUniqueOrThrow({ where: { id: theirs.id } })).readAt).toBeNull();
    expect(await caller(me.id).account.unreadCount()).toBe(2);
    expect((await caller(me.id).account.notifications({ unreadOnly: true })).items).toHaveLength(2);

    expect(await caller(me.id).account.markRead({})).toEqual({ updated: 2 });
    expect(await caller(me.id).account.unreadCount()).toBe(0);
    expect(await caller(other.id).account.unreadCount()).toBe(1);
    expect(await caller(me.id).account.markRead({ ids: [mine[1]!.id], read: false })).toEqual({ updated: 1 });
    expect(await caller(me.id).account.unreadCount()).toBe(1);
    const audit = await db.auditLog.findMany({ where: { actorId: me.id }, orderBy: { at: 'asc' } });
    expect(audit.map((a) => a.action)).toEqual([
      'notification.markRead',
      'notification.markRead',
      'notification.markUnread',
    ]);
  });

  it('needs a session', async () => {
    await expectTrpcError(caller(null).account.notifications({}), 'UNAUTHORIZED');
    await expectTrpcError(caller(null).account.unreadCount(), 'UNAUTHORIZED');
    await expectTrpcError(caller(null).account.markRead({}), 'UNAUTHORIZED');
  });
});

describe('outbox', () => {
  it('platform admins read every mail, links decrypted; the addressee’s own account reads none', async () => {
    env.SMTP_URL = undefined;
    const admin = await db.user.create({
      data: { email: `${uniq('op')}@example.test`, isPlatformAdmin: true },
    });
    const alice = await seedUser(db, 'alice');
    const bob = await seedUser(db, 'bob');
    await queueMail(db, { to: alice.email, subject: 'For Alice', text: 'a' });
    await queueMail(db, { to: bob.email, subject: 'For Bob', text: 'b' });
    await caller(null).account.requestPasswordReset({ email: bob.email });

    const all = await caller(admin.id).account.outbox({ to: alice.email.slice(0, 10) });
    expect(all.scope).toBe('all');
    expect(all.mails.map((m) => m.subject)).toContain('For Alice');
    expect(all.mails.every((m) => m.to.includes(alice.email.slice(0, 10)))).toBe(true);
    const everything = await caller(admin.id).account.outbox();
    expect(everything.mails.map((m) => m.to)).toEqual(expect.arrayContaining([alice.email, bob.email]));
    const reset = (await caller(admin.id).account.outbox({ to: bob.email })).mails.find((m) =>
      m.subject.startsWith('Reset'),
    );
    expect(reset).toMatchObject({ bodyDropped: false, text: expect.stringContaining('/reset-password/') });

    // without SMTP the outbox is where a reset link for bob's address waits: not bob's account to read
    await expectTrpcError(caller(alice.id).account.outbox(), 'FORBIDDEN');
    await expectTrpcError(caller(bob.id).account.outbox({ to: bob.email }), 'FORBIDDEN');
    env.SMTP_URL = 'smtp://127.0.0.1:2525';
    await expectTrpcError(caller(alice.id).account.outbox(), 'FORBIDDEN');
    expect((await caller(admin.id).account.outbox()).smtpConfigured).toBe(true);
    await expectTrpcError(caller(null).account.outbox(), 'UNAUTHORIZED');
  });
});
