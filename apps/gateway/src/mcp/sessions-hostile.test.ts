import { describe, expect, it } from 'vitest';
import { createMcpSessionStore, MAX_SESSIONS_PER_KEY } from './sessions.ts';

/**
 * initialize is neither rate limited nor billed (protocol messages are free), so any key can open
 * sessions as fast as it can send: what it opens must not push out the sessions of other keys.
 */
describe('MCP sessions in memory under a flood of initialize', () => {
  it("keeps another tenant's session while one key opens 100,000 of its own", async () => {
    const store = createMcpSessionStore({});
    const victim = await store.create({ keyId: 'key_victim', scope: 'api:victim' });
    for (let i = 0; i < 100_000; i++) await store.create({ keyId: 'key_flood', scope: 'app:flood' });
    expect(await store.get(victim)).toEqual({ keyId: 'key_victim', scope: 'api:victim' });
    await store.close();
  }, 60_000);

  it("ends the key's least recently used session, keeping the ones it uses", async () => {
    const store = createMcpSessionStore({});
    const binding = { keyId: 'key_busy', scope: 'app:busy' };
    const ids: string[] = [];
    for (let i = 0; i < MAX_SESSIONS_PER_KEY; i++) ids.push(await store.create(binding));
    const [first, second] = ids as [string, string];
    await store.get(first); // used again: the second is now the least recently used
    const newest = await store.create(binding);
    expect(await store.get(second)).toBeNull();
    expect(await store.get(first)).toEqual(binding);
    expect(await store.get(newest)).toEqual(binding);
    await store.close();
  });
});
