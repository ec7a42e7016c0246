import { describe, expect, it } from 'vitest';
import { createMcpSessionStore } from './sessions.ts';

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
});
