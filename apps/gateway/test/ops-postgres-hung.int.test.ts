import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedConsumerWithKey, seedProviderWithApi } from '../../../test/fixtures.ts';
import { readGatewayEnv } from '../src/env.ts';
import { bearer, type CallResult, call, eventually, startWorld, type TestWorld } from './harness.ts';
import { sleep } from './upstream-servers.ts';

const CONFIG_WAIT_MS = 1_000;
/** Timer granularity, scheduling on a shared machine, the request's own work. */
const SLACK_MS = 300;

/**
 * A TCP proxy in front of Postgres that the test can freeze: connections stay open and new ones are
 * accepted, but nothing is passed on in either direction until it thaws (a hung, not a stopped, server).
 */
async function startFreezableProxy(target: { host: string; port: number }) {
  const sockets = new Set<Socket>();
  const held: (() => void)[] = [];
  let frozen = false;
  const forward = (from: Socket, to: Socket) =>
    from.on('data', (chunk: Buffer) => {
      if (frozen) held.push(() => to.write(chunk));
      else to.write(chunk);
    });
  const server: Server = createServer((client) => {
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
    forward(client, upstream);
    forward(upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    freeze() {
      frozen = true;
    },
    thaw() {
      frozen = false;
      for (const write of held.splice(0)) write();
    },
    /** bytes the gateway sent Postgres while frozen: it really was waiting on the database */
    get heldChunks() {
      return held.length;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

async function timed(request: () => Promise<CallResult>): Promise<CallResult & { ms: number }> {
  const started = performance.now();
  const res = await request();
  return { ...res, ms: performance.now() - started };
}

describe('gateway with Postgres hung (accepting connections, never answering)', () => {
  let world: TestWorld;
  let proxy: Awaited<ReturnType<typeof startFreezableProxy>>;

  beforeAll(async () => {
    const direct = new URL(readGatewayEnv().DATABASE_URL);
    proxy = await startFreezableProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
    const viaProxy = new URL(direct);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    // Seeding and checks use the harness's direct client; only the gateway goes through the proxy.
    world = await startWorld({
      redis: false,
      databaseUrl: viaProxy.toString(),
      configCacheTtlMs: 200,
      configWaitMs: CONFIG_WAIT_MS,
    });
  });
  afterAll(async () => {
    proxy?.thaw();
    await world?.close();
    await proxy?.close();
  });

  it('answers a never-seen key 503 within the config wait, and serves cached keys at full speed', async () => {
    const provider = await seedProviderWithApi(world.db, {
      upstreamUrl: world.upstream.url,
      rateLimit: 10_000,
      monthlyQuota: 100_000,
    });
    const known = await seedConsumerWithKey(world.db, provider.plan.id);
    const neverSeen = await seedConsumerWithKey(world.db, provider.plan.id);
    const apiPath = `/${provider.org.slug}/${provider.api.slug}`;
    const send = (key: string, i: number) =>
      timed(() => call(world.gateway.url, `${apiPath}/r${i}`, { headers: bearer(key) }));

    for (let i = 0; i < 3; i++) expect((await send(known.plaintext, i)).status).toBe(200);

    proxy.freeze();
    // Past the stale-while-revalidate window (2 × 200 ms): every cached entry wants a reload now.
    await sleep(600);

    // The first request to need a reload waits for it, but no longer than the config wait in all.
    const first = await send(known.plaintext, 3);
    expect(first.status).toBe(200);
    expect(proxy.heldChunks).toBeGreaterThan(0); // it did wait on the hung database
    expect(first.ms).toBeLessThan(CONFIG_WAIT_MS + SLACK_MS);

    const cold = await send(neverSeen.plaintext, 0);
    expect(cold.status).toBe(503);
    expect(cold.json()).toMatchObject({ code: 'config_unavailable' });
    expect(cold.headers['retry-after']).toBe('1');
    expect(cold.ms).toBeLessThan(CONFIG_WAIT_MS + SLACK_MS);

    // The cached key: now that reloads are known to hang, its snapshot is served without waiting.
    const warm: { status: number; ms: number }[] = [];
    const until = performance.now() + 3_000;
    for (let i = 10; performance.now() < until; i++) {
      const res = await send(known.plaintext, i);
      warm.push({ status: res.status, ms: res.ms });
      await sleep(20);
    }
    expect(warm.every((w) => w.status === 200)).toBe(true);
    expect(Math.max(...warm.map((w) => w.ms))).toBeLessThan(CONFIG_WAIT_MS + SLACK_MS);
    const slow = warm.filter((w) => w.ms > 150);
    expect(slow.length, JSON.stringify(warm.map((w) => Math.round(w.ms)))).toBeLessThanOrEqual(1);

    // Another never-seen key while the hang goes on: still bounded.
    const coldAgain = await send(neverSeen.plaintext, 1);
    expect(coldAgain.status).toBe(503);
    expect(coldAgain.ms).toBeLessThan(CONFIG_WAIT_MS + SLACK_MS);

    proxy.thaw();
    await eventually(async () => (await send(neverSeen.plaintext, 2)).status === 200, 15_000);
  });
});
