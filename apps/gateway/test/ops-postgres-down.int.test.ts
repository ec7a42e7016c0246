import { connect, createServer, type Server, type Socket } from 'node:net';
import { generateApiKey } from '@portcullis/core/keys';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedConsumerWithKey, seedProviderWithApi } from '../../../test/fixtures.ts';
import { readGatewayEnv } from '../src/env.ts';
import { bearer, call, eventually, startWorld, type TestWorld } from './harness.ts';

/** A TCP proxy in front of Postgres that the test can cut (reset every connection, refuse new ones). */
async function startCuttableProxy(target: { host: string; port: number }) {
  const sockets = new Set<Socket>();
  let cut = false;
  const server: Server = createServer((client) => {
    if (cut) return void client.destroy();
    const upstream = connect(target.port, target.host);
    sockets.add(client);
    sockets.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    cut() {
      cut = true;
      for (const socket of sockets) socket.destroy();
      sockets.clear();
    },
    restore() {
      cut = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('gateway with Postgres down', () => {
  let world: TestWorld;
  let proxy: Awaited<ReturnType<typeof startCuttableProxy>>;

  beforeAll(async () => {
    const direct = new URL(readGatewayEnv().DATABASE_URL);
    proxy = await startCuttableProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
    const viaProxy = new URL(direct);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    // Seeding and checks use the harness's direct client; only the gateway goes through the proxy.
    world = await startWorld({
      redis: true,
      databaseUrl: viaProxy.toString(),
      configCacheTtlMs: 200,
      usageFlushIntervalMs: 100,
    });
  });
  afterAll(async () => {
    proxy?.restore();
    await world?.close();
    await proxy?.close();
  });

  it('serves known keys from its snapshot, fails closed for unknown ones, and loses no usage', async () => {
    const provider = await seedProviderWithApi(world.db, {
      upstreamUrl: world.upstream.url,
      rateLimit: 10_000,
    });
    const known = await seedConsumerWithKey(world.db, provider.plan.id);
    // Exists in Postgres, but the gateway never saw it: nothing to fall back on while Postgres is down.
    const neverSeen = await seedConsumerWithKey(world.db, provider.plan.id);
    const apiPath = `/${provider.org.slug}/${provider.api.slug}`;
    const send = (key: string, i: number) =>
      call(world.gateway.url, `${apiPath}/r${i}`, { headers: bearer(key) });

    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await send(known.plaintext, i)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200]);

    proxy.cut();
    // Well past the stale-while-revalidate window (2 × 200 ms): entries are kept, not expired.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    for (let i = 5; i < 25; i++) statuses.push((await send(known.plaintext, i)).status);
    expect(statuses).toEqual(Array(25).fill(200));

    const unknown = await send(neverSeen.plaintext, 0);
    expect(unknown.status).toBe(503);
    expect(unknown.json()).toMatchObject({ code: 'config_unavailable' });
    const garbage = await send(generateApiKey().plaintext, 0);
    expect(garbage.status).toBe(503);
    expect((await call(world.gateway.url, '/readyz')).status).toBe(503);

    // Usage does not need the gateway's Postgres link: it goes through the Redis stream to the metering
    // worker (whose own connection is up), so the outage's calls are billed while it lasts.
    const where = { subscriptionId: known.subscription.id };
    const total = async () =>
      (await world.db.usageRollup.findMany({ where })).reduce((sum, r) => sum + r.requests, 0n);
    await eventually(async () => (await total()) === 25n, 5_000);

    proxy.restore();
    // The request log is the gateway's own batch: it waited for the link and lands now, each row once.
    await eventually(
      async () => (await world.db.requestLog.count({ where: { keyId: known.apiKey.id } })) === 25,
      15_000,
    );
    expect((await call(world.gateway.url, '/readyz')).status).toBe(200);

    // Normal refresh resumed: the never-seen key now loads, and a revocation is picked up.
    expect((await send(neverSeen.plaintext, 1)).status).toBe(200);
    await world.db.apiKey.update({ where: { id: known.apiKey.id }, data: { revokedAt: new Date() } });
    let servedBeforeRevocationSeen = 0;
    await eventually(async () => {
      const status = (await send(known.plaintext, 99)).status;
      if (status === 200) servedBeforeRevocationSeen++;
      return status === 401;
    }, 10_000);
    // Billed once each, nothing doubled by retries.
    await world.usageSettled();
    expect(await total()).toBe(25n + BigInt(servedBeforeRevocationSeen));
  });
});
