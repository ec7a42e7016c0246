import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { getDb } from '@portcullis/db';
import { queueMail } from '@portcullis/services/notify-users';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniq } from '../../../../../test/fixtures';
import { createMailDispatcher, type MailDispatcherOptions } from './dispatcher';

const db = getDb();
const MAIL_KEY = randomBytes(32);
/** A mail carrying a link that works for an hour: stored encrypted. */
const secret = (ms = 3_600_000) => ({ key: MAIL_KEY, until: new Date(Date.now() + ms) });

interface Received {
  from: string;
  to: string[];
  raw: string;
}

/** A local SMTP server that keeps what it receives; recipients starting `busy-` / `nobody-` are refused. */
const received: Received[] = [];
let server: SMTPServer;
let smtpUrl: string;

function refusal(message: string, responseCode: number): Error {
  return Object.assign(new Error(message), { responseCode });
}

beforeAll(async () => {
  server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address: SMTPServerAddress, _session, callback) {
      if (address.address.startsWith('busy-')) return callback(refusal('Mailbox busy, try later', 451));
      if (address.address.startsWith('nobody-')) return callback(refusal('No such user', 550));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  smtpUrl = `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  // The run's database is shared: mail queued by earlier test files (invitations, resets) would otherwise
  // fill this file's dispatcher batches before its own mail.
  await db.mail.updateMany({ where: { status: 'pending' }, data: { status: 'outbox' } });
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const dispatcher = (overrides: Partial<MailDispatcherOptions> = {}) =>
  createMailDispatcher({
    db,
    smtpUrl,
    from: 'Portcullis <no-reply@portal.test>',
    mailKey: MAIL_KEY,
    retryBaseMs: 300,
    ...overrides,
  });

const mailTo = (label: string) => `${uniq(label)}@example.test`;
const receivedBy = (address: string) => received.filter((r) => r.to.includes(address));
const row = (id: string) => db.mail.findUniqueOrThrow({ where: { id } });

describe('mail dispatcher over SMTP', () => {
  it('delivers pending mail once and marks it sent', async () => {
    const to = mailTo('alice');
    const mail = await queueMail(db, {
      to,
      subject: 'Welcome aboard',
      text: 'Accept: http://portal.test/invite/abc',
    });
    const html = await queueMail(db, { to, subject: 'With HTML', text: 'plain', html: '<p>rich</p>' });
    const mailer = dispatcher();
    const result = await mailer.tick();
    expect(result.sent).toBeGreaterThanOrEqual(2);
    const got = receivedBy(to);
    expect(got).toHaveLength(2);
    expect(got[0]?.from).toBe('no-reply@portal.test');
    expect(got[0]?.raw).toContain('Subject: Welcome aboard');
    expect(got[0]?.raw).toContain('http://portal.test/invite/abc');
    expect(got[1]?.raw).toContain('<p>rich</p>');
    for (const id of [mail.id, html.id]) {
      expect(await row(id)).toMatchObject({
        status: 'sent',
        attempts: 1,
        lastError: null,
        sentAt: expect.any(Date),
      });
    }
    await mailer.tick();
    expect(receivedBy(to)).toHaveLength(2);
    await mailer.stop();
  });

  it('sends a mail carrying a link decrypted, then keeps no copy of its body', async () => {
    const to = mailTo('linked');
    const link = `http://portal.test/reset-password/${randomBytes(12).toString('hex')}`;
    const mail = await queueMail(db, { to, subject: 'Reset', text: `Choose: ${link}` }, secret());
    expect((await row(mail.id)).text).not.toContain(link);
    const mailer = dispatcher();
    await mailer.tick();
    expect(receivedBy(to)[0]?.raw).toContain(link);
    expect(await row(mail.id)).toMatchObject({ status: 'sent', text: '', html: null });
    await mailer.stop();
  });

  it('a mail carrying a link that expired before it could be sent is dropped, not sent', async () => {
    const to = mailTo('stale');
    const mail = await queueMail(
      db,
      { to, subject: 'Old link', text: 'http://portal.test/invite/x' },
      secret(-1),
    );
    const mailer = dispatcher({ batchSize: 500 });
    const result = await mailer.tick();
    expect(result.expired).toBeGreaterThanOrEqual(1);
    expect(await row(mail.id)).toMatchObject({ status: 'failed', text: '', html: null });
    expect(receivedBy(to)).toHaveLength(0);
    await mailer.stop();
  });

  it('retries a temporary refusal with backoff, counting attempts, then gives up', async () => {
    const to = mailTo('busy');
    const mail = await queueMail(db, { to, subject: 'Retry me', text: 'hello' });
    // Retries are due retryBaseMs × (2^attempts − 1) after creation: 1 min, then 3 min. Time is moved by
    // moving the mail's creation back, so a slow machine cannot make an attempt due early.
    const mailer = dispatcher({ maxAttempts: 3, retryBaseMs: 60_000 });
    const createdAgo = (ms: number) =>
      db.mail.update({ where: { id: mail.id }, data: { createdAt: new Date(Date.now() - ms) } });
    await mailer.tick();
    expect(await row(mail.id)).toMatchObject({ status: 'pending', attempts: 1 });
    expect((await row(mail.id)).lastError).toContain('Mailbox busy');
    await mailer.tick();
    expect((await row(mail.id)).attempts).toBe(1);
    await createdAgo(61_000);
    await mailer.tick();
    expect(await row(mail.id)).toMatchObject({ status: 'pending', attempts: 2 });
    await mailer.tick();
    expect((await row(mail.id)).attempts).toBe(2);
    await createdAgo(181_000);
    await mailer.tick();
    expect(await row(mail.id)).toMatchObject({ status: 'failed', attempts: 3 });
    expect(receivedBy(to)).toHaveLength(0);
    await mailer.stop();
  });

  it('a permanent refusal fails at once', async () => {
    const to = mailTo('nobody');
    const mail = await queueMail(db, { to, subject: 'Nope', text: 'hello' });
    const mailer = dispatcher();
    await mailer.tick();
    const failed = await row(mail.id);
    expect(failed).toMatchObject({ status: 'failed', attempts: 1 });
    expect(failed.lastError).toContain('No such user');
    await mailer.stop();
  });

  it('an unreachable server leaves mail pending with the error', async () => {
    const mail = await queueMail(db, { to: mailTo('offline'), subject: 'Later', text: 'hello' });
    // port 9 (discard) is closed on this machine: the connection is refused
    const mailer = dispatcher({ smtpUrl: 'smtp://127.0.0.1:9', batchSize: 500 });
    await mailer.tick();
    const pending = await row(mail.id);
    expect(pending).toMatchObject({ status: 'pending', attempts: 1 });
    expect(pending.lastError).toMatch(/ECONNREFUSED|connect/i);
    await mailer.stop();
    // delivered later once the server is there
    await new Promise((r) => setTimeout(r, 350));
    const working = dispatcher({ batchSize: 500 });
    await working.tick();
    expect(await row(mail.id)).toMatchObject({ status: 'sent', attempts: 2, lastError: null });
    await working.stop();
  });

  it('two dispatchers (two portal processes) never send the same mail twice', async () => {
    const addresses = Array.from({ length: 12 }, () => mailTo('many'));
    for (const to of addresses) await queueMail(db, { to, subject: 'Once', text: 'only once' });
    const a = dispatcher({ batchSize: 500 });
    const b = dispatcher({ batchSize: 500 });
    await Promise.all([a.tick(), b.tick(), a.tick(), b.tick()]);
    for (const to of addresses) expect(receivedBy(to), to).toHaveLength(1);
    await Promise.all([a.stop(), b.stop()]);
  });

  it('kick() delivers right away instead of at the next interval', async () => {
    const mailer = dispatcher({ intervalMs: 60_000 });
    mailer.start();
    await new Promise((r) => setTimeout(r, 200));
    const to = mailTo('kick');
    await queueMail(db, { to, subject: 'Fast', text: 'now' });
    mailer.kick();
    const deadline = Date.now() + 5_000;
    while (receivedBy(to).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(receivedBy(to)).toHaveLength(1);
    await mailer.stop();
  });
});

describe('mail dispatcher without SMTP', () => {
  it('moves pending mail to the outbox and sends nothing', async () => {
    const to = mailTo('outbox');
    const mail = await queueMail(db, { to, subject: 'Kept', text: 'read me on the outbox page' });
    const mailer = createMailDispatcher({
      db,
      smtpUrl: undefined,
      from: 'x <x@portal.test>',
      mailKey: MAIL_KEY,
    });
    const result = await mailer.tick();
    expect(result.outboxed).toBeGreaterThanOrEqual(1);
    expect(await row(mail.id)).toMatchObject({ status: 'outbox', attempts: 0, sentAt: null });
    expect(receivedBy(to)).toHaveLength(0);
    await mailer.stop();
  });

  it('keeps a link in the outbox encrypted until it expires, then drops the body', async () => {
    const to = mailTo('outbox-link');
    const live = await queueMail(
      db,
      { to, subject: 'Live', text: 'http://portal.test/invite/live' },
      secret(),
    );
    const dead = await queueMail(
      db,
      { to, subject: 'Dead', text: 'http://portal.test/invite/dead' },
      secret(300),
    );
    const mailer = createMailDispatcher({
      db,
      smtpUrl: undefined,
      from: 'x <x@portal.test>',
      mailKey: MAIL_KEY,
    });
    await mailer.tick();
    expect((await row(dead.id)).text).not.toBe('');
    await new Promise((r) => setTimeout(r, 400));
    await mailer.tick();
    expect(await row(dead.id)).toMatchObject({ status: 'outbox', text: '' });
    const kept = await row(live.id);
    expect(kept.status).toBe('outbox');
    expect(kept.text).not.toContain('/invite/live');
    expect(kept.text).not.toBe('');
    await mailer.stop();
  });
});
