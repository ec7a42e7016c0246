import { randomBytes } from 'node:crypto';
import { createServer, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisTurnWriter } from './redis-turn.ts';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `portcullis-turn:${randomBytes(6).toString('hex')}:`;

async function connected(): Promise<Redis> {
  const client = new Redis(redisUrl, { maxRetriesPerRequest: 0 });
  await client.ping();
  return client;
}

describe('RedisTurnWriter', () => {
  const clients: Redis[] = [];
  afterAll(async () => {
    const cleaner = await connected();
    const keys = await cleaner.keys(`${prefix}*`);
    if (keys.length > 0) await cleaner.del(...keys);
    await Promise.all([cleaner, ...clients].map((c) => c.quit()));
  });

  it('writes everything sent in one event-loop turn to the socket at once', async () => {
    const client = await connected();
    clients.push(client);
    const turn = new RedisTurnWriter(client);
    const stream = (client as unknown as { stream: { write: (...args: unknown[]) => boolean } }).stream;
    const write = stream.write.bind(stream);
    let writes = 0;
    stream.write = (...args: unknown[]) => {
      writes++;
      return write(...args);
    };
    const counters = Array.from({ length: 10 }, () =>
      turn.send<number>(`${prefix}n`, (p) => p.incr(`${prefix}n`)),
    );
    const events = Array.from({ length: 5 }, (_, i) =>
      turn.send<string>(`${prefix}s`, (p) => p.xadd(`${prefix}s`, '*', 'i', String(i))),
    );
    const replies = await Promise.all(counters);
    await Promise.all(events);
    expect(writes).toBe(1);
    expect(replies).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(await client.xlen(`${prefix}s`)).toBe(5);
  });

  it('writes a turn without waiting for the replies of the turn before', async () => {
    const client = await connected();
    clients.push(client);
    const turn = new RedisTurnWriter(client);
    const blocked = turn.send(`${prefix}empty`, (p) => p.blpop(`${prefix}empty`, 0.3));
    await new Promise((resolve) => setImmediate(resolve));
    const sentAt = Date.now();
    let writtenAt = 0;
    const next = turn.send<number>(`${prefix}m`, (p) => p.incr(`${prefix}m`), {
      written: () => {
        writtenAt = Date.now();
      },
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(writtenAt).toBeGreaterThan(0);
    expect(writtenAt - sentAt).toBeLessThan(50);
    expect(await blocked).toBeNull();
    expect(await next).toBe(1);
  });

  it('rejects what a hung server does not answer in time, one timer per batch', async () => {
    const sockets: Socket[] = [];
    const hung = createServer((socket) => sockets.push(socket)); // accepts, never answers
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
    const port = (hung.address() as { port: number }).port;
    const client = new Redis({ port, host: '127.0.0.1', enableReadyCheck: false, maxRetriesPerRequest: 0 });
    await new Promise((resolve) => client.once('connect', resolve));
    const turn = new RedisTurnWriter(client);
    const fast = turn.send('a', (p) => p.get('a'), { timeoutMs: 30 });
    const slow = turn.send('b', (p) => p.get('b'), { timeoutMs: 120 });
    const started = Date.now();
    await expect(fast).rejects.toThrow(/no reply within 30 ms/);
    expect(Date.now() - started).toBeLessThan(110);
    await expect(slow).rejects.toThrow(/no reply within 120 ms/);
    client.disconnect();
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => hung.close(resolve));
  });
});
