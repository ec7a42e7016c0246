import type { SqlWriter } from '@portcullis/db/pg';
import type { RedisLocation } from '@portcullis/db/redis';
import type { ConfigCache } from '../config/config-cache.ts';
import type { Logger } from '../log.ts';
import type { UpstreamAllowList } from '../upstream/allow-list.ts';
import { OrgAgents } from '../upstream/connector.ts';
import { AiService } from './service.ts';

export interface GatewayAi {
  service: AiService;
  /** provider connections, one agent per org owning the credentials */
  dispatchers: OrgAgents;
}

/** AI and PROMPT APIs (src/ai). */
export function createAi(options: {
  cache: ConfigCache;
  allowList: UpstreamAllowList;
  sql: SqlWriter;
  redis: RedisLocation | undefined;
  redisKeyPrefix?: string | undefined;
  encryptionKey?: string | undefined;
  callLogFlushMs?: number | undefined;
  /** the gateway's response cache bound; the AI response cache gets a quarter of it (at least 1 MB) */
  responseCacheMaxBytes?: number | undefined;
  log: Logger;
  now: () => number;
}): GatewayAi {
  // One agent per org owning the credentials: its connector admits only that org's allow-listed hosts.
  const dispatchers = new OrgAgents(options.allowList);
  const service = new AiService({
    cache: options.cache,
    encryptionKey: options.encryptionKey,
    redisUrl: options.redis?.url,
    redisClusterNodes: options.redis?.clusterNodes ? [...options.redis.clusterNodes] : undefined,
    redisKeyPrefix: options.redisKeyPrefix ?? 'portcullis:',
    dispatcherFor: (orgId) => dispatchers.for(orgId),
    callLogFlushMs: options.callLogFlushMs ?? 500,
    batchSql: options.sql,
    responseCacheMaxBytes: Math.max(1024 * 1024, Math.floor((options.responseCacheMaxBytes ?? 0) / 4)),
    log: options.log,
    now: options.now,
  });
  return { service, dispatchers };
}
