import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
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
import { bearer, startUpstream, type TestUpstream } from './harness.ts';
import { startTestMetering, type TestMetering } from './metering-worker.ts';

const env = readGatewayEnv();
const redisUrl = env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Concurrent clients, never paused: kills land while dozens of requests are at every stage. */
const LANES = 48;
const KILLS = 10;
/** Each gateway answers this many requests, then serves a random 200–600 ms more before it is killed. */
const WARM_ANSWERS = LANES * 2;
const SERVE_MS: [number, number] = [200, 600];

/**
 * The billing guarantee across crashes, per request: the real gateway CLI (Redis mode) serves a load
 * that never pauses while it is SIGKILLed ten times. Every response a client received whole is matched,
 * by the request id the gateway put on it (an admitted request's usage event has the same id), to the
 * billable usage in Postgres:
 * - lost = answered but unbilled: must be 0 (the usage event leaves before the response can complete);
 * - excess = billed but never answered: at most the requests in flight at the kills (a kill between the
 *   usage write and the response's last bytes bills a response the client never got).
 * Both are counted exactly, and Stripe must hold what Postgres bills.
 */
describe('billing exactness across gateway crashes', () => {
  const prefix = `portcullis-exact:${randomBytes(6).toString('hex')}:`;
  let fake: FakeStripe;
  let upstream: TestUpstream;
  let metering: TestMetering;
  let gateway: ChildGateway | undefined;
  const agent = new Agent({ connections: LANES, keepAliveTimeout: 1_000 });

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
    await agent.close();
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

  it('bills every answered request and at most the in-flight ones besides, through ten SIGKILLs', async () => {
    const world = await linkedConsumer(fake);
    await testDb().api.update({ where: { id: world.api.id }, data: { upstreamUrl: upstream.url } });
    await testDb().plan.update({
      where: { id: world.plan.id },
      data: { rateLimit: 1_000_000, monthlyQuota: null },
    });
    const apiPath = `/${world.org.slug}/${world.api.slug}`;
    const headers = bearer(world.consumer.plaintext);

    gateway = await startChild();
    /** request ids of 2xx responses received whole, with the body the echo upstream promised */
    const answered = new Set<string>();
    let otherOutcomes = 0;
    let started = 0;
    let inFlight = 0;
    let done = false;
    const inFlightAtKills: number[] = [];

    const one = async (target: ChildGateway, i: number) => {
      started += 1;
      inFlight += 1;
      try {
        const res = await request(`${target.url}${apiPath}/r${i}`, { headers, dispatcher: agent });
        const text = await res.body.text();
        const id = res.headers['x-request-id'];
        const whole = res.statusCode === 200 && text.includes(`"url":"/r${i}"`);
        if (whole && typeof id === 'string') answered.add(id);
        else otherOutcomes += 1;
      } catch {
        otherOutcomes += 1; // cut mid-response, reset, or refused while the gateway is down: not answered
      } finally {
        inFlight -= 1;
      }
    };

    let next = 0;
    const lanes = Array.from({ length: LANES }, async () => {
      while (!done) {
        const target = gateway;
        if (!target) {
          await sleep(5);
          continue;
        }
        await one(target, next++);
      }
    });

    for (let kill = 0; kill < KILLS; kill++) {
      const warmFrom = answered.size;
      while (answered.size - warmFrom < WARM_ANSWERS) await sleep(10);
      const [min, max] = SERVE_MS;
      await sleep(min + Math.random() * (max - min));
      const victim = gateway;
      if (!victim) throw new Error('no gateway to kill');
      inFlightAtKills.push(inFlight);
      gateway = undefined;
      await victim.stop('SIGKILL');
      gateway = await startChild();
    }
    await sleep(SERVE_MS[0]);
    done = true;
    await Promise.all(lanes);
    await gateway?.stop('SIGTERM');
    gateway = undefined;

    // The premise: every kill landed on a serving gateway with the load in flight.
    expect(Math.min(...inFlightAtKills)).toBeGreaterThanOrEqual(LANES / 2);
    expect(answered.size).toBeGreaterThanOrEqual(KILLS * WARM_ANSWERS);

    await metering.settled(60_000);
    const billed = await testDb().usageEvent.findMany({
      where: { subscriptionId: world.consumer.subscription.id, billable: true },
      select: { id: true },
    });
    const billedIds = new Set(billed.map((e) => e.id));
    const lost = [...answered].filter((id) => !billedIds.has(id));
    const excess = [...billedIds].filter((id) => !answered.has(id));
    const summary = {
      started,
      answered: answered.size,
      otherOutcomes,
      billed: billedIds.size,
      lost: lost.length,
      excess: excess.length,
      inFlightAtKills,
      firstLost: lost.slice(0, 5),
    };
    // Nothing the client saw answered goes unbilled …
    expect(lost.length, JSON.stringify(summary)).toBe(0);
    // … and what is billed besides is bounded by the requests in flight when the kills landed.
    const inFlightTotal = inFlightAtKills.reduce((a, b) => a + b, 0);
    expect(excess.length, JSON.stringify(summary)).toBeLessThanOrEqual(inFlightTotal);

    // Stripe holds exactly what Postgres bills.
    const inPostgres = await billableTotal(world.consumer.subscription.id);
    expect(inPostgres).toBe(BigInt(billedIds.size));
    const synced = await syncOrg(fake, world.org.id);
    expect(synced.errors).toEqual([]);
    expect(world.stripeTotal()).toBe(inPostgres);
  }, 240_000);
});
