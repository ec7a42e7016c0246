import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { forbiddenAddressReason, isAllowedHost } from '@portcullis/core/ssrf';
import { Agent, buildConnector } from 'undici';
import type { AllowListSource } from './allow-list.ts';

export const UPSTREAM_FORBIDDEN = 'ERR_UPSTREAM_FORBIDDEN';

/** The guard refused to connect: the upstream is, or resolved to, a forbidden address. */
class UpstreamForbiddenError extends Error {
  readonly code = UPSTREAM_FORBIDDEN;
  constructor(message: string) {
    super(message);
    this.name = 'UpstreamForbiddenError';
  }
}

/**
 * DNS lookup that drops forbidden addresses (loopback, private, link-local, metadata…), so a name that
 * passed the save-time check but now resolves (rebinds) to an internal address is never connected to.
 */
const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
    if (error) return callback(error, '', 0);
    const safe = addresses.filter((entry) => forbiddenAddressReason(entry.address) === null);
    const first = safe[0];
    if (!first) {
      const listed = addresses.map((entry) => entry.address).join(', ');
      return callback(new UpstreamForbiddenError(`${hostname} resolves to forbidden ${listed}`), '', 0);
    }
    if (options.all) return (callback as unknown as (e: null, all: LookupAddress[]) => void)(null, safe);
    callback(null, first.address, first.family);
  });
};

function isAllowed(options: buildConnector.Options, hosts: readonly string[]): boolean {
  const host = isIP(options.hostname) === 6 ? `[${options.hostname}]` : options.hostname;
  const port = options.port ? `:${options.port}` : '';
  return isAllowedHost(new URL(`${options.protocol}//${host}${port}`), hosts);
}

/**
 * An undici `connect` that checks the address it actually connects to, unless the host is allow-listed
 * for `orgId`, the organization whose API or AI credential the connections serve (so a pool or agent
 * using it must never be shared with another org).
 */
export function guardedConnector(options: {
  connectTimeoutMs: number;
  allowList: AllowListSource;
  orgId: string;
}): buildConnector.connector {
  const direct = buildConnector({ timeout: options.connectTimeoutMs });
  const guarded = buildConnector({ timeout: options.connectTimeoutMs, lookup: guardedLookup });
  const { allowList, orgId } = options;
  const allowed = (connectOptions: buildConnector.Options) =>
    isAllowed(connectOptions, allowList.hostsFor(orgId));
  const refuseUnlessNowAllowed = (
    connectOptions: buildConnector.Options,
    callback: buildConnector.Callback,
    error: Error,
  ) => {
    allowList.beforeRefusing(orgId, `${connectOptions.hostname}:${connectOptions.port}`).then(
      () => (allowed(connectOptions) ? direct(connectOptions, callback) : callback(error, null)),
      () => callback(error, null),
    );
  };
  return (connectOptions, callback) => {
    if (allowed(connectOptions)) return direct(connectOptions, callback);
    // Literal addresses never reach the lookup: check them here.
    if (isIP(connectOptions.hostname) !== 0) {
      const reason = forbiddenAddressReason(connectOptions.hostname);
      if (reason === null) return direct(connectOptions, callback);
      const error = new UpstreamForbiddenError(`${connectOptions.hostname} is a ${reason} address`);
      return refuseUnlessNowAllowed(connectOptions, callback, error);
    }
    guarded(connectOptions, (error, socket) => {
      if (error && (error as { code?: unknown }).code === UPSTREAM_FORBIDDEN) {
        return refuseUnlessNowAllowed(connectOptions, callback, error);
      }
      if (error) return callback(error, null);
      callback(null, socket);
    });
  };
}

/** Keep-alive agents for calls made on behalf of one org each (AI providers), SSRF-guarded for that org. */
export class OrgAgents {
  private readonly agents = new Map<string, Agent>();

  constructor(
    private readonly allowList: AllowListSource,
    private readonly connectTimeoutMs = 10_000,
  ) {}

  for(orgId: string): Agent {
    let agent = this.agents.get(orgId);
    if (!agent) {
      const connect = guardedConnector({
        connectTimeoutMs: this.connectTimeoutMs,
        allowList: this.allowList,
        orgId,
      });
      agent = new Agent({ connect, keepAliveTimeout: 30_000, connections: 256 });
      this.agents.set(orgId, agent);
    }
    return agent;
  }

  async close(): Promise<void> {
    await Promise.all([...this.agents.values()].map((agent) => agent.close()));
  }
}
