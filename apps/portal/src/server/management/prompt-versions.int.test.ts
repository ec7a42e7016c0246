import { describe, expect, it } from 'vitest';
import { seedTenantWorld } from '../security/test/world';
import { db } from '../test/harness';
import { ENDPOINT_CASES } from './test/cases';
import { managementClient, tokenFor } from './test/client';

const call = managementClient(db);

describe('management API: prompt versions', () => {
  it('publishes, splits traffic and rolls back; bad releases are 400 problems', async () => {
    const world = await seedTenantWorld(db);
    const { token } = await tokenFor(db, world.provider.id, world.provider.members.OWNER, 'OWNER');
    // The matrix case turns the world's API into a prompt API with version 1.
    const { path } = await ENDPOINT_CASES['apis.promptVersions']!.request(world, db);
    const base = path.replace(/\/versions$/, '');

    const published = await call(token, 'POST', `${base}/versions`, { body: { note: 'second' } });
    expect(published.status).toBe(201);
    expect(published.json).toMatchObject({ number: 2, note: 'second' });

    const split = await call(token, 'PUT', `${base}/release`, {
      body: { release: { versionA: 1, versionB: 2, weightB: 30 } },
    });
    expect(split.status).toBe(200);
    const list = await call(token, 'GET', `${base}/versions`);
    const items = (list.json as { items: { number: number; livePercent: number }[] }).items;
    expect(items.map((v) => [v.number, v.livePercent])).toEqual([
      [2, 30],
      [1, 70],
    ]);

    for (const release of [{ versionA: 9 }, { versionA: 1, versionB: 2, weightB: 101 }, 'latest']) {
      const refused = await call(token, 'PUT', `${base}/release`, { body: { release } });
      expect(refused.status, refused.text).toBe(400);
      expect(refused.headers.get('content-type')).toBe('application/problem+json');
    }
    const rollback = await call(token, 'PUT', `${base}/release`, { body: { release: { versionA: 1 } } });
    expect(rollback.json).toMatchObject({ release: { versionA: 1, weightB: 0 } });
    const off = await call(token, 'PUT', `${base}/release`, { body: { release: null } });
    expect(off.json).toMatchObject({ release: null });
  });

  it('pages the versions with ?limit and ?cursor=nextCursor', async () => {
    const world = await seedTenantWorld(db);
    const { token } = await tokenFor(db, world.provider.id, world.provider.members.OWNER, 'OWNER');
    const { path } = await ENDPOINT_CASES['apis.promptVersions']!.request(world, db);
    for (let i = 0; i < 2; i++) expect((await call(token, 'POST', path, { body: {} })).status).toBe(201);
    type Page = { items: { number: number }[]; nextCursor: number | null };
    const first = await call(token, 'GET', path, { query: { limit: '2' } });
    expect(first.status, first.text).toBe(200);
    const firstPage = first.json as Page;
    expect([firstPage.items.map((v) => v.number), firstPage.nextCursor]).toEqual([[3, 2], 2]);
    const next = { limit: '2', cursor: String(firstPage.nextCursor) };
    const second = (await call(token, 'GET', path, { query: next })).json as Page;
    expect([second.items.map((v) => v.number), second.nextCursor]).toEqual([[1], null]);
    const refusals: Record<string, string>[] = [
      { limit: '0' },
      { limit: '201' },
      { cursor: '0' },
      { cursor: 'abc' },
    ];
    for (const query of refusals) {
      const refused = await call(token, 'GET', path, { query });
      expect(refused.status, JSON.stringify(query)).toBe(400);
    }
  });
});
