import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  addMember,
  consumerWithApp,
  db,
  expectTrpcError,
  member,
  providerWithPlan,
} from '../../test/harness';
import { createCallerFactory, createTrpcContext, router } from '../../trpc';
import { logsRouter } from '.';

const testRouter = router({ logs: logsRouter });
const caller = (userId: string | null) => createCallerFactory(testRouter)(createTrpcContext({ db, userId }));

/** Two requests of a consumer's key to a provider's API, one refused, and one of another consumer. */
async function loggedWorld() {
  const provider = await providerWithPlan({ requiresApproval: false });
  const consumer = await consumerWithApp();
  const { key } = await consumer.caller.key.create({
    orgSlug: consumer.org.slug,
    appId: consumer.app.id,
    name: 'ci',
  });
  const other = await consumerWithApp();
  const row = (appId: string, keyId: string | null, status: number, secondsAgo: number) => ({
    id: randomUUID(),
    at: new Date(Date.now() - secondsAgo * 1000),
    orgId: provider.org.id,
    apiId: provider.api.id,
    appId,
    keyId,
    method: 'GET',
    path: `/${provider.org.slug}/${provider.api.slug}/forecast`,
    status,
    latencyMs: 12,
    bytesIn: 0,
    bytesOut: 0,
  });
  const rows = [
    row(consumer.app.id, key.id, 200, 30),
    row(consumer.app.id, key.id, 403, 20),
    row(other.app.id, null, 200, 10),
  ];
  await db.requestLog.createMany({ data: rows });
  return { provider, consumer, other, key, rows };
}

describe('logs router', () => {
  it('lists and opens rows for the provider (any role) and for the consumer', async () => {
    const { provider, consumer, key, rows } = await loggedWorld();
    const viewer = await addMember(provider.org.id, 'VIEWER');
    const list = await caller(viewer.user.id).logs.list({ orgSlug: provider.org.slug, side: 'provider' });
    expect(list.rows.map((r) => r.id)).toEqual([rows[2]!.id, rows[1]!.id, rows[0]!.id]);
    const refused = await caller(viewer.user.id).logs.list({
      orgSlug: provider.org.slug,
      side: 'provider',
      status: '4xx',
    });
    expect(refused.rows.map((r) => r.id)).toEqual([rows[1]!.id]);
    const detail = await caller(viewer.user.id).logs.get({
      orgSlug: provider.org.slug,
      side: 'provider',
      id: rows[0]!.id,
    });
    expect(detail).toMatchObject({ status: 200, api: { id: provider.api.id }, key: null });

    const mine = await caller(consumer.user.id).logs.list({ orgSlug: consumer.org.slug, side: 'consumer' });
    expect(mine.rows.map((r) => r.id)).toEqual([rows[1]!.id, rows[0]!.id]);
    const keys = await caller(consumer.user.id).logs.keys({ orgSlug: consumer.org.slug });
    expect(keys.map((k) => k.id)).toEqual([key.id]);
    const withKey = await caller(consumer.user.id).logs.get({
      orgSlug: consumer.org.slug,
      side: 'consumer',
      id: rows[0]!.id,
    });
    expect(withKey.key).toMatchObject({ id: key.id, name: 'ci' });
  });

  it("never returns another tenant's rows", async () => {
    const { provider, other, rows } = await loggedWorld();
    const stranger = await member('OWNER', 'stranger');
    const as = caller(stranger.user.id).logs;
    await expectTrpcError(as.list({ orgSlug: provider.org.slug, side: 'provider' }), 'NOT_FOUND');
    expect((await as.list({ orgSlug: stranger.org.slug, side: 'provider' })).rows).toEqual([]);
    expect((await as.list({ orgSlug: stranger.org.slug, side: 'consumer' })).rows).toEqual([]);
    await expectTrpcError(
      as.get({ orgSlug: stranger.org.slug, side: 'provider', id: rows[0]!.id }),
      'NOT_FOUND',
    );
    // Another consumer of the same API sees its own row only.
    const theirs = await caller(other.user.id).logs.list({ orgSlug: other.org.slug, side: 'consumer' });
    expect(theirs.rows.map((r) => r.id)).toEqual([rows[2]!.id]);
    await expectTrpcError(
      caller(other.user.id).logs.get({ orgSlug: other.org.slug, side: 'consumer', id: rows[0]!.id }),
      'NOT_FOUND',
    );
  });

  it('refuses anonymous callers and page sizes over 200', async () => {
    const { provider } = await loggedWorld();
    await expectTrpcError(
      caller(null).logs.list({ orgSlug: provider.org.slug, side: 'provider' }),
      'UNAUTHORIZED',
    );
    await expectTrpcError(caller(null).logs.keys({ orgSlug: provider.org.slug }), 'UNAUTHORIZED');
    await expectTrpcError(
      caller(provider.user.id).logs.list({ orgSlug: provider.org.slug, side: 'provider', limit: 500 }),
      'BAD_REQUEST',
    );
  });
});
