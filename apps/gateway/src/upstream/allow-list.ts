import type { SqlRunner } from '@portcullis/db/pg';
import { type AllowedHostsSnapshot, allowedHostsSnapshot } from '../config/repository.ts';

const REFUSAL_RELOAD_MS = 1_000;

/**
 * Where the connect-time SSRF guard reads the allow-list from. Entries are per organization: a host
 * allowed for one tenant's APIs and AI credentials stays forbidden for every other tenant's.
 */
export interface AllowListSource {
  /** Hosts (`host` or `host:port`) exempt for upstreams and AI endpoints of `orgId`: its own and all-tenant entries. */
  hostsFor(orgId: string): readonly string[];
  /**
   * Called before refusing `host` for `orgId`: reloads the list when this host was not refused for this
   * org since the last load, or the list is over a second old (so a host an admin just allowed works at
   * once, while a flood of refusals costs at most one load per second per host). Concurrent callers
   * share one load.
   */
  beforeRefusing(orgId: string, host: string): Promise<void>;
}

/** Reads UpstreamAllowedHost; the gateway's one reader of it. */
export const upstreamAllowedHosts =
  (sql: SqlRunner): (() => Promise<AllowedHostsSnapshot>) =>
  () =>
    allowedHostsSnapshot(sql);

/**
 * The SSRF allow-list, cached in memory: loaded at start, refreshed every `refreshMs`, after a config
 * listener gap, and just before the guard would refuse a connection (see beforeRefusing). A failed load
 * keeps the previous list.
 */
export class UpstreamAllowList implements AllowListSource {
  private allTenants: readonly string[] = [];
  /** per org: its own hosts followed by the all-tenant ones, built once per load */
  private byOrg = new Map<string, readonly string[]>();
  private loadedAt = Number.NEGATIVE_INFINITY;
  private loading: Promise<void> | undefined;
  private readonly refusedSinceLoad = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly load: () => Promise<AllowedHostsSnapshot>,
    private readonly options: {
      refreshMs: number;
      onError?: (error: unknown) => void;
      now?: () => number;
    },
  ) {}

  hostsFor(orgId: string): readonly string[] {
    return this.byOrg.get(orgId) ?? this.allTenants;
  }

  async start(): Promise<void> {
    this.timer = setInterval(() => void this.refresh(), this.options.refreshMs);
    this.timer.unref();
    await this.refresh();
  }

  refresh(): Promise<void> {
    this.loading ??= this.load()
      .then(
        (snapshot) => {
          this.allTenants = snapshot.allTenants;
          this.byOrg = new Map(
            [...snapshot.byOrg].map(([orgId, hosts]) => [orgId, [...hosts, ...snapshot.allTenants]]),
          );
          this.loadedAt = this.now();
          this.refusedSinceLoad.clear();
        },
        (error: unknown) => this.options.onError?.(error),
      )
      .finally(() => {
        this.loading = undefined;
      });
    return this.loading;
  }

  async beforeRefusing(orgId: string, host: string): Promise<void> {
    const key = `${orgId} ${host}`;
    if (this.refusedSinceLoad.has(key) && this.now() - this.loadedAt < REFUSAL_RELOAD_MS) return;
    await this.refresh();
    this.refusedSinceLoad.add(key);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}
