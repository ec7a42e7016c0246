import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  billableTotal,
  type FakeStripe,
  linkedConsumer,
  startFakeStripe,
  syncOrg,
  testDb,
} from '../../../packages/billing/src/stripe-sync/test/world.ts';
import { allowUpstreamHosts } from '../../../test/fixtures.ts';
import { readGatewayEnv } from '../src/env.ts';
import { RedisLimitStore } from '../src/limits/redis.ts';
import { type ChildGateway, spawnGateway } from './child-gateway.ts';
import { bearer, eventually, startUpstream, type TestUpstream } from './harness.ts';
import { startTestMetering, type TestMetering } from './metering-worker.ts';

const env = readGatewayEnv();
const redisUrl = env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const TOTAL = 6_000;
const CONCURRENCY = 4;

/**
 * Issue 4's end-to-end target: N requests through the real gateway CLI while it is SIGKILLed and
 * restarted twice; what the load client saw answered (2xx, complete body) against the billable usage in
 * Postgres and what the Stripe meter received.
 */
describe('billing exactness across gateway crashes', () => {
  const prefix = `portcullis-exact:${randomBytes(6).toString('hex')}:`;
  let fake: FakeStripe;
  let upstream: TestUpstream;
  let metering: TestMetering;
  let gateway: ChildGateway | undefined;

  beforeAll(async () => {
    fake = await startFakeStripe();
    upstream = await startUpstream();
    await allowUpstreamHosts(testDb(), ['127.0.0.1']);
    metering = await startTestMetering({ databaseUrl: env.DATABASE_URL, redisUrl, keyPrefix: prefix });
  });
  afterAll(async () => {
    await gateway?.stop('SIGKILL');
    await metering?.stop();
    await upstream?.close();
    await fake?.close();
    const cleaner = new RedisLimitStore({ url: redisUrl, keyPrefix: prefix });
    await cleaner.deleteNamespace();
    await cleaner.close();
  });

  const startChild = () =>
    spawnGateway({
      DATABASE_URL: env.DATABASE_URL,
      REDIS_URL: redisUrl,
      GATEWAY_REDIS_KEY_PREFIX: prefix,
      GATEWAY_PORT: '0',
      GATEWAY_WORKERS: '1',
    });

  it('bills every answered request, with Stripe equal to Postgres, through two SIGKILLs', async () => {
    const world = await linkedConsumer(fake);
    await testDb().api.update({ where: { id: world.api.id }, data: { upstreamUrl: upstream.url } });
    await testDb().plan.update({
      where: { id: world.plan.id },
      data: { rateLimit: 1_000_000, monthlyQuota: null },
    });
    const apiPath = `/${world.org.slug}/${world.api.slug}`;
    const headers = bearer(world.consumer.plaintext);

    gateway = await startChild();
    let answered = 0;
    let failed = 0;
    let sent = 0;
    const killAt = [Math.floor(TOTAL / 3), Math.floor((2 * TOTAL) / 3)];
    let restarting: Promise<void> | undefined;
    const heldAtKill: string[] = [];

    const one = async (i: number) => {
      const target = gateway;
      if (!target) return;
      try {
        const res = await fetch(`${target.url}${apiPath}/r${i}`, { headers });
        await res.text();
        if (res.status >= 200 && res.status < 300) answered += 1;
        else failed += 1;
      } catch {
        failed += 1; // reset mid-response or refused while the gateway is down: not answered
      }
    };

    const lanes = Array.from({ length: CONCURRENCY }, async () => {
      while (sent < TOTAL) {
        const i = sent++;
        if (killAt.includes(i)) {
          const victim = gateway;
          restarting = (async () => {
            // One request is certainly in flight when the kill lands: the upstream holds /slow for 3 s.
            // (Fast lanes alone may all be between requests at that instant on a quick machine.)
            const slowSeen = upstream.seen.filter((r) => r.url.endsWith('/slow')).length;
            const held = victim
              ? fetch(`${victim.url}${apiPath}/slow`, { headers }).then(
                  async (res) => `answered ${res.status} ${await res.text()}`,
                  () => 'cut',
                )
              : Promise.resolve('no gateway');
            await eventually(
              async () => upstream.seen.filter((r) => r.url.endsWith('/slow')).length > slowSeen,
              5_000,
            );
            await victim?.stop('SIGKILL');
            heldAtKill.push(await held);
            gateway = await startChild();
          })();
        }
        if (restarting) await restarting;
        await one(i);
      }
    });
    await Promise.all(lanes);
    await gateway?.stop('SIGTERM');
    gateway = undefined;

    expect(answered + failed).toBe(TOTAL);
    expect(heldAtKill).toEqual(['cut', 'cut']); // each kill cut a request in flight
    expect(answered).toBeGreaterThan(TOTAL * 0.9);
    await metering.settled(30_000);
    const inPostgres = await billableTotal(world.consumer.subscription.id);

    const synced = await syncOrg(fake, world.org.id);
    expect(synced.errors).toEqual([]);
    const inStripe = world.stripeTotal();

    // Stripe holds exactly what Postgres bills.
    expect(inStripe).toBe(inPostgres);
    // Nothing the client saw answered is unbilled. The one inexact case: a SIGKILL landing between a
    // usage event's acknowledgement and its response reaching the client bills a response the client
    // never got — at most the requests in flight at each of the two kills (README, loss bounds): the
    // lanes' and the held one.
    expect(inPostgres).toBeGreaterThanOrEqual(BigInt(answered));
    expect(inPostgres - BigInt(answered)).toBeLessThanOrEqual(BigInt(killAt.length * (CONCURRENCY + 1)));
  }, 180_000);
});
