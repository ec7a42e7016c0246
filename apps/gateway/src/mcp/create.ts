import type { RedisLocation } from '@portcullis/db/redis';
import { Agent } from 'undici';
import type { McpDeps } from './endpoint.ts';
import { TOOL_CALL_CAPS, ToolCallsInFlight } from './in-flight.ts';
import { newInternalSecret } from './internal.ts';
import { createMcpSessionStore } from './sessions.ts';

const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
// a tool call waits for the upstream (its own timeout) plus the chain around it
const CALL_MARGIN_MS = 5_000;

/** The MCP endpoints' sessions and tools/call loopback; `listeningAt` once the server listens. */
export function createMcp(options: {
  redis: RedisLocation | undefined;
  redisKeyPrefix?: string | undefined;
  internalSecret?: string | undefined;
  maxBodyBytes?: number | undefined;
  upstreamTimeoutMs?: number | undefined;
}): { deps: McpDeps; listeningAt(host: string, port: number): void; close(): Promise<void> } {
  const sessions = createMcpSessionStore({ redis: options.redis, redisKeyPrefix: options.redisKeyPrefix });
  // as many connections as calls may be in flight: the caps refuse before the pool would queue
  const dispatcher = new Agent({ keepAliveTimeout: 4_000, connections: TOOL_CALL_CAPS.total });
  let baseUrl = '';
  return {
    deps: {
      sessions,
      maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
      caller: {
        baseUrl: () => baseUrl,
        secret: options.internalSecret ?? newInternalSecret(),
        dispatcher,
        timeoutMs: (options.upstreamTimeoutMs ?? 30_000) + CALL_MARGIN_MS,
        inFlight: new ToolCallsInFlight(),
      },
    },
    listeningAt(host, port) {
      baseUrl = `http://${loopbackHost(host)}:${port}`;
    },
    async close() {
      await Promise.all([sessions.close(), dispatcher.close()]);
    },
  };
}

/** Where to reach a server listening on `host` from this machine (a wildcard address is not a peer). */
function loopbackHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::' || host === '[::]') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
