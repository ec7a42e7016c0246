import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { getDb } from '@portcullis/db';
import { queueMail } from '@portcullis/services/notify-users';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniq } from '../../../../../test/fixtures';
import { awaitDelivery } from './delivery';
import { createMailDispatcher } from './dispatcher';

const db = getDb();
const MAIL_KEY = randomBytes(32);
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
    onData(stream, _session, callback) {
      stream.on('data', () => undefined);
      stream.on('end', () => callback());
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  smtpUrl = `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  // Mail queued by other files would fill the dispatcher's batches before this file's.
  await db.mail.updateMany({ where: { status: 'pending' }, data: { status: 'outbox' } });
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const dispatcher = (url: string | undefined) =>
  createMailDispatcher({ db, smtpUrl: url, from: 'Portcullis <no-reply@portal.test>', mailKey: MAIL_KEY });

async function queued(label: string) {
  const secret = { key: MAIL_KEY, until: new Date(Date.now() + 3_600_000) };
  const mail = await queueMail(
    db,
    { to: `${uniq(label)}@example.test`, subject: 'Join us', text: 'link' },
    secret,
  );
  return mail.id;
}

describe('what became of a queued mail', () => {
  it('is queued for the outbox when no mail server is configured', async () => {
    const id = await queued('alice');
    const delivery = await awaitDelivery(id, {
      db,
      transportConfigured: false,
      dispatcher: dispatcher(undefined),
    });
    expect(delivery).toEqual({ state: 'queued', reason: 'no-transport', lastError: null });
  });

  it('is sent once the SMTP server accepted it', async () => {
    const id = await queued('bob');
    const running = dispatcher(smtpUrl);
    expect(await awaitDelivery(id, { db, transportConfigured: true, dispatcher: running })).toEqual({
      state: 'sent',
    });
    await running.stop();
  });

  it('stays queued, with the reason, when the server asks to try later', async () => {
    const id = await queued('busy-carol');
    const running = dispatcher(smtpUrl);
    const delivery = await awaitDelivery(id, { db, transportConfigured: true, dispatcher: running });
    expect(delivery).toMatchObject({ state: 'queued', reason: 'pending' });
    expect(delivery.state === 'queued' && delivery.lastError).toMatch(/busy/);
    await running.stop();
  });

  it('failed when the server refuses it for good', async () => {
    const id = await queued('nobody-dave');
    const running = dispatcher(smtpUrl);
    const delivery = await awaitDelivery(id, { db, transportConfigured: true, dispatcher: running });
    expect(delivery).toMatchObject({ state: 'failed' });
    await running.stop();
  });

  it('is never called sent when no dispatcher runs in this process', async () => {
    const id = await queued('erin');
    expect(await awaitDelivery(id, { db, transportConfigured: true, dispatcher: null })).toMatchObject({
      state: 'queued',
      reason: 'pending',
    });
  });
});
