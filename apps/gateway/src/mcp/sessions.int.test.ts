import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { readGatewayEnv } from '../env.ts';
import { createMcpSessionStore, MAX_SESSIONS_PER_KEY } from './sessions.ts';

const redisUrl = readGatewayEnv().REDIS_URL ?? 'redis://127.0.0.1:6379';
// a namespace of our own: the suite cleans only its keys, never the whole (shared) Redis
const keyPrefix = `portcullis-test:${randomBytes(6).toString('hex')}:`;
const raw = new Redis(redisUrl);

afterAll(async () => {
  const keys = await raw.keys(`${keyPrefix}*`);
  if (keys.length > 0) await raw.del(...keys);
  raw.disconnect();
});

describe('MCP sessions in Redis, one key opening many', () => {
  it("ends that key's least recently used sessions, never another key's", async () => {
    let clock = 1_000_000;
    const store = createMcpSessionStore({
      redis: { url: redisUrl },
      redisKeyPrefix: keyPrefix,
      now: () => clock,
    });
    const victim = await store.create({ keyId: 'key_victim', scope: 'api:victim' });
    const flood = { keyId: 'key_flood', scope: 'app:flood' };
    const ids: string[] = [];
    for (let i = 0; i < MAX_SESSIONS_PER_KEY + 20; i++) {
      clock += 1;
      ids.push(await store.create(flood));
      if (i === 0) {
        clock += 1;
        await store.get(ids[0] as string); // used again: it stays among the newest
      }
    }
    expect(await store.get(victim)).toEqual({ keyId: 'key_victim', scope: 'api:victim' });
    expect(await raw.zcard(`${keyPrefix}mcp:key-sessions:key_flood`)).toBe(MAX_SESSIONS_PER_KEY);
    expect(await raw.keys(`${keyPrefix}mcp:session:*`)).toHaveLength(MAX_SESSIONS_PER_KEY + 1);
    expect(await store.get(ids[1] as string)).toBeNull();
    expect(await store.get(ids.at(-1) as string)).toEqual(flood);
    await store.close();
  });

  it('does not count sessions that idled out or were ended', async () => {
    let clock = 5_000_000;
    const store = createMcpSessionStore({
      redis: { url: redisUrl },
      redisKeyPrefix: keyPrefix,
      idleMs: 60_000,
      now: () => clock,
    });
    const binding = { keyId: 'key_idle', scope: 'app:idle' };
    const ended = await store.create(binding);
    await store.end(ended);
    for (let i = 0; i < 10; i++) await store.create(binding);
    clock += 61_000;
    await store.create(binding);
    expect(await raw.zcard(`${keyPrefix}mcp:key-sessions:key_idle`)).toBe(1);
    await store.close();
  });
});
