import { randomUUID } from 'node:crypto';
import { createDb } from '@portcullis/db';
import { createPgPool, sqlWriter } from '@portcullis/db/pg';
import { afterAll, describe, expect, it } from 'vitest';
import { readGatewayEnv } from '../env.ts';
import { AiResponseStore, type ResponseScope } from './responses-store.ts';

/*
 * Stored responses against Postgres: scoped reads and deletes, expiry, and the bounded sweep that
 * deletes expired rows (and only those). Rows are counted by this test's own org id.
 */

const DAY = 24 * 60 * 60 * 1000;

describe('AI response store', () => {
  const databaseUrl = readGatewayEnv().DATABASE_URL;
  const db = createDb(databaseUrl, 2);
  const sql = sqlWriter(createPgPool(databaseUrl, 2));
  afterAll(async () => {
    await sql.close();
    await db.$disconnect();
  });

  const scope = (): ResponseScope => ({ orgId: randomUUID(), apiId: randomUUID(), appId: randomUUID() });
  const row = { turns: 1, items: [{ type: 'message', role: 'user', content: 'hi' }], response: { id: 'x' } };

  it('reads, deletes and chains a response only within its org, API and app', async () => {
    let now = Date.parse('2026-03-01T00:00:00Z');
    const store = new AiResponseStore(
      sql,
      () => now,
      () => undefined,
    );
    const mine = scope();
    await store.save('resp_scoped', mine, row);
    const stored = { ...row, items: [{ ...row.items[0], id: expect.stringMatching(/^msg_/) }] };
    expect(await store.load('resp_scoped', mine)).toEqual(stored);
    for (const other of [
      { ...mine, appId: randomUUID() },
      { ...mine, apiId: randomUUID() },
      { ...mine, orgId: randomUUID() },
    ]) {
      expect(await store.load('resp_scoped', other)).toBeNull();
      expect(await store.delete('resp_scoped', other)).toBe(false);
    }
    now += 29 * DAY;
    expect(await store.load('resp_scoped', mine)).not.toBeNull();
    now += 2 * DAY;
    expect(await store.load('resp_scoped', mine)).toBeNull();
    expect(await store.delete('resp_scoped', mine)).toBe(false);
  });

  it('reads rows stored before items had ids with the same derived ids every time', async () => {
    const store = new AiResponseStore(
      sql,
      () => Date.now(),
      () => undefined,
    );
    const mine = scope();
    const id = `resp_${randomUUID()}`;
    await store.save(id, mine, row);
    await db.aiResponse.update({ where: { id }, data: { items: row.items } });
    const first = await store.load(id, mine);
    expect(first?.items).toEqual([{ ...row.items[0], id: expect.stringMatching(/^msg_[0-9a-f]{48}$/) }]);
    expect(await store.load(id, mine)).toEqual(first);
  });

  it('sweeps expired rows in bounded batches, leaving live ones', async () => {
    const start = Date.parse('2026-04-01T00:00:00Z');
    let now = start;
    const store = new AiResponseStore(
      sql,
      () => now,
      () => undefined,
    );
    const mine = scope();
    const ids = Array.from({ length: 3 }, () => `resp_${randomUUID()}`);
    for (const id of ids) await store.save(id, mine, row);
    now = start + 20 * DAY;
    const live = `resp_${randomUUID()}`;
    await store.save(live, mine, row);
    now = start + 31 * DAY;
    await store.sweep();
    const left = await db.aiResponse.findMany({ where: { orgId: mine.orgId }, select: { id: true } });
    expect(left.map((r) => r.id)).toEqual([live]);
  });
});
