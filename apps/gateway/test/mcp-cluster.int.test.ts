import { randomBytes } from 'node:crypto';
import { createDb, type Db } from '@portcullis/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedConsumerWithKey } from '../../../test/fixtures.ts';
import { readGatewayEnv } from '../src/env.ts';
import { RedisLimitStore } from '../src/limits/redis.ts';
import { spawnGateway } from './child-gateway.ts';
import { eventually, startUpstream, type TestUpstream } from './harness.ts';
import { connectClient, seedMcpApi } from './mcp-harness.ts';

describe('MCP servers in cluster mode (GATEWAY_WORKERS=2)', () => {
  const env = readGatewayEnv();
  const redisUrl = env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const redisKeyPrefix = `portcullis-mcp:${randomBytes(6).toString('hex')}:`;
  let db: Db;
  let upstream: TestUpstream;

  beforeAll(async () => {
    db = createDb(env.DATABASE_URL, 3);
    upstream = await startUpstream();
  });
  afterAll(async () => {
    await upstream?.close();
    const store = new RedisLimitStore({ url: redisUrl, keyPrefix: redisKeyPrefix });
    await store.deleteNamespace();
    await store.close();
    await db?.$disconnect();
  });

  it('continues sessions on any worker, and every worker knows the tool calls of the others', async () => {
    const provider = await seedMcpApi(db, { upstreamUrl: `${upstream.url}/base`, rateLimit: 10_000 });
    const consumer = await seedConsumerWithKey(db, provider.plan.id);
    const gateway = await spawnGateway({
      DATABASE_URL: env.DATABASE_URL,
      REDIS_URL: redisUrl,
      GATEWAY_REDIS_KEY_PREFIX: redisKeyPrefix,
      GATEWAY_PORT: '0',
      GATEWAY_WORKERS: '2',
      USAGE_FLUSH_INTERVAL_MS: '100',
    });
    try {
      await eventually(async () => gateway.output().includes('"msg":"gateway cluster listening"'), 20_000);
      const { client } = await connectClient(
        `${gateway.url}/${provider.org.slug}/${provider.api.slug}/mcp`,
        consumer.plaintext,
      );
      const calls = 10;
      for (let i = 0; i < calls; i++) {
        const result = await client.callTool({ name: 'getItem', arguments: { itemId: `c${i}` } });
        expect(result.isError, JSON.stringify(result)).toBeFalsy();
      }
      await client.close();
      await eventually(async () => {
        const rows = await db.requestLog.findMany({
          where: { apiId: provider.api.id, path: { contains: '/items/c' } },
        });
        return rows.length === calls;
      }, 10_000);
      const rows = await db.requestLog.findMany({
        where: { apiId: provider.api.id, path: { contains: '/items/c' } },
      });
      expect(rows.map((row) => row.mcpTool)).toEqual(Array(calls).fill('getItem'));
    } finally {
      expect(await gateway.stop()).toBe(0);
    }
  });
});
