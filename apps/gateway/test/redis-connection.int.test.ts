import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedConsumerWithKey, seedProviderWithApi } from '../../../test/fixtures.ts';
import { readGatewayEnv } from '../src/env.ts';
import { bearer, call, startWorld, type TestWorld } from './harness.ts';

const redisUrl = readGatewayEnv().REDIS_URL ?? 'redis://127.0.0.1:6379';

/** `MONITOR` lines name the client that sent each command: `<time> [<db> <addr>] "<command>" …`. */
function sender(line: string): string | undefined {
  return /^\d+\.\d+ \[\d+ ([^\]]+)\]/.exec(line)?.[1];
}

describe('the gateway on Redis', () => {
  let world: TestWorld;
  let apiPath: string;
  let key: string;

  beforeAll(async () => {
    world = await startWorld({ redis: true });
    const provider = await seedProviderWithApi(world.db, {
      upstreamUrl: `${world.upstream.url}/base/`,
      rateLimit: 1000,
    });
    apiPath = `/${provider.org.slug}/${provider.api.slug}`;
    key = (await seedConsumerWithKey(world.db, provider.plan.id)).plaintext;
  });
  afterAll(async () => {
    await world?.close();
  });

  it('sends rate-limit checks and usage events over one connection, pipelined per turn', async () => {
    const monitor = new Redis(redisUrl);
    const lines: string[] = [];
    const feed = await monitor.monitor();
    feed.on('monitor', (time: string, args: string[], source: string, database: string) => {
      lines.push(`${time} [${database} ${source}] "${args[0]?.toLowerCase()}"`);
    });
    try {
      const answers = await Promise.all(
        Array.from({ length: 20 }, () => call(world.gateway.url, `${apiPath}/ok`, { headers: bearer(key) })),
      );
      expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
      await world.gateway.flushUsage();
      await new Promise((resolve) => setTimeout(resolve, 200));
    } finally {
      feed.disconnect();
      monitor.disconnect();
    }
    const limitSenders = new Set(lines.filter((l) => /"(evalsha|eval)"$/.test(l)).map(sender));
    const usageSenders = new Set(lines.filter((l) => /"xadd"$/.test(l)).map(sender));
    expect(limitSenders.size).toBe(1);
    expect(usageSenders).toEqual(limitSenders);
  });
});
