import { PLATFORM_SETTINGS } from '@portcullis/core/policies';
import type { SqlRunner } from '@portcullis/db/pg';
import { platformSetting } from '../config/repository.ts';

const REFUSAL_RELOAD_MS = 1_000;

/** Where the connect-time SSRF guard reads the allow-list from. */
export interface AllowListSource {
  readonly current: readonly string[];
  /**
   * Called before refusing `host`: reloads the list when this host was not refused since the last load,
   * or the list is over a second old (so a host an admin just allowed works at once, while a flood of
   * refusals costs at most one load per second per host). Concurrent callers share one load.
   */
  beforeRefusing(host: string): Promise<void>;
}

/** Reads PlatformSetting 'upstream.allowedHosts'; a missing or malformed value means "nothing allowed". */
export function platformAllowedHosts(sql: SqlRunner): () => Promise<readonly string[]> {
  return async () => {
    const hosts = await platformSetting(sql, PLATFORM_SETTINGS.upstreamAllowedHosts);
    return (hosts ?? []).map((host) => host.trim().toLowerCase());
  };
}

/**
 * The SSRF allow-list, cached in memory: loaded at start, refreshed every `refreshMs`, after a config
 * listener gap, and just before the guard would refuse a connection (see beforeRefusing). A failed load
 * keeps the previous list.
 */
export class UpstreamAllowList implements AllowListSource {
  private hosts: readonly string[] = [];
  private loadedAt = Number.NEGATIVE_INFINITY;
  private loading: Promise<void> | undefined;
  private readonly refusedSinceLoad = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly load: () => Promise<readonly string[]>,
    private readonly options: {
      refreshMs: number;
      onError?: (error: unknown) => void;
      now?: () => number;
    },
  ) {}

  get current(): readonly string[] {
    return this.hosts;
  }

  async start(): Promise<void> {
    this.timer = setInterval(() => void this.refresh(), this.options.refreshMs);
    this.timer.unref();
    await this.refresh();
  }

  refresh(): Promise<void> {
    this.loading ??= this.load()
      .then(
        (hosts) => {
          this.hosts = hosts;
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

  async beforeRefusing(host: string): Promise<void> {
    if (this.refusedSinceLoad.has(host) && this.now() - this.loadedAt < REFUSAL_RELOAD_MS) return;
    await this.refresh();
    this.refusedSinceLoad.add(host);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}

/** A fixed list (tests, embedded use). */
export const staticAllowList = (hosts: readonly string[]): AllowListSource => ({
  current: hosts,
  beforeRefusing: async () => undefined,
});
