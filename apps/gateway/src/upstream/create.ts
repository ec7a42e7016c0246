import type { SqlRunner } from '@portcullis/db/pg';
import { describeError, type Logger } from '../log.ts';
import { UpstreamAllowList, upstreamAllowedHosts } from './allow-list.ts';
import { UpstreamClient } from './proxy.ts';

export interface GatewayUpstreams {
  /** the SSRF allow-list (UpstreamAllowedHost), loaded before traffic arrives */
  allowList: UpstreamAllowList;
  /** targets, balancing, breakers and retries of REST APIs */
  client: UpstreamClient;
}

/** Upstream forwarding behind the SSRF allow-list; resolves once the allow-list is loaded. */
export async function createUpstreams(options: {
  sql: SqlRunner;
  upstreamTimeoutMs?: number | undefined;
  /** reload period of the allow-list (default 30 s) */
  allowListRefreshMs?: number | undefined;
  log: Logger;
  now: () => number;
}): Promise<GatewayUpstreams> {
  const { log, now } = options;
  const allowList = new UpstreamAllowList(upstreamAllowedHosts(options.sql), {
    refreshMs: options.allowListRefreshMs ?? 30_000,
    now,
    onError: (error) =>
      log('warn', 'upstream allow-list refresh failed; keeping the last one', {
        error: describeError(error),
      }),
  });
  await allowList.start();
  const client = new UpstreamClient({ timeoutMs: options.upstreamTimeoutMs ?? 30_000, allowList, now });
  return { allowList, client };
}
