import { Cluster, Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { createRedis, redisConfigured } from './redis.ts';

describe('createRedis', () => {
  const clients: (Redis | Cluster)[] = [];
  afterEach(() => {
    for (const client of clients.splice(0)) client.disconnect();
  });

  it('makes a single-server client from the URL, with the per-connection options', () => {
    const retryStrategy = (times: number) => times * 10;
    const client = createRedis({
      url: 'redis://127.0.0.1:6390/3',
      command: { commandTimeout: 500, maxRetriesPerRequest: 0, enableAutoPipelining: true },
      enableOfflineQueue: false,
      retryStrategy,
      keyPrefix: 'p:',
      lazyConnect: true,
      slotsRefreshTimeout: 1_000,
    });
    clients.push(client);
    expect(client).toBeInstanceOf(Redis);
    const { options } = client as Redis;
    expect(options).toMatchObject({
      port: 6390,
      db: 3,
      commandTimeout: 500,
      maxRetriesPerRequest: 0,
      enableAutoPipelining: true,
      enableOfflineQueue: false,
      keyPrefix: 'p:',
      lazyConnect: true,
    });
    expect(options.retryStrategy).toBe(retryStrategy);
  });

  it('makes a Cluster client when seed nodes are given, whatever the URL', () => {
    const retryStrategy = (times: number) => times * 10;
    const client = createRedis({
      url: 'redis://127.0.0.1:6390',
      clusterNodes: [{ host: '127.0.0.1', port: 7000 }],
      command: { commandTimeout: 500, maxRetriesPerRequest: 0 },
      enableOfflineQueue: false,
      retryStrategy,
      keyPrefix: 'p:',
      lazyConnect: true,
      slotsRefreshTimeout: 1_000,
    });
    clients.push(client);
    expect(client).toBeInstanceOf(Cluster);
    const { options } = client as Cluster;
    expect(options).toMatchObject({
      enableOfflineQueue: false,
      keyPrefix: 'p:',
      lazyConnect: true,
      slotsRefreshTimeout: 1_000,
      redisOptions: { commandTimeout: 500, maxRetriesPerRequest: 0 },
    });
    expect(options.clusterRetryStrategy).toBe(retryStrategy);
  });

  it('tells whether Redis is configured at all', () => {
    expect(redisConfigured({})).toBe(false);
    expect(redisConfigured({ clusterNodes: [] })).toBe(false);
    expect(redisConfigured({ url: 'redis://127.0.0.1:6379' })).toBe(true);
    expect(redisConfigured({ clusterNodes: [{ host: 'a', port: 1 }] })).toBe(true);
  });
});
