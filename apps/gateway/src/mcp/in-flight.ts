import { err, ok, type Result } from '../result.ts';

/**
 * How many tools/calls may be in flight in this gateway process at once: per key, per API and in all.
 * Each call holds a loopback connection for as long as its upstream takes, so without the first two one
 * tenant's slow tool could take every connection and queue everyone else's calls behind its own. The
 * loopback pool holds `total` connections, so the caps always bind before the pool would queue.
 */
export const TOOL_CALL_CAPS = { perKey: 16, perApi: 256, total: 4096 } as const;

export type InFlightCap = 'key' | 'api' | 'total';

export class ToolCallsInFlight {
  private readonly byKey = new Map<string, number>();
  private readonly byApi = new Map<string, number>();
  private total = 0;

  constructor(private readonly caps: { perKey: number; perApi: number; total: number } = TOOL_CALL_CAPS) {}

  /** A slot for one call (give it back with the function returned), or the cap that is full. */
  take(keyId: string, api: string): Result<() => void, InFlightCap> {
    if ((this.byKey.get(keyId) ?? 0) >= this.caps.perKey) return err('key');
    if ((this.byApi.get(api) ?? 0) >= this.caps.perApi) return err('api');
    if (this.total >= this.caps.total) return err('total');
    increment(this.byKey, keyId, 1);
    increment(this.byApi, api, 1);
    this.total++;
    let released = false;
    return ok(() => {
      if (released) return;
      released = true;
      increment(this.byKey, keyId, -1);
      increment(this.byApi, api, -1);
      this.total--;
    });
  }
}

/** Counts at zero are dropped, so the maps hold only keys and APIs with calls in flight. */
function increment(counts: Map<string, number>, name: string, by: number): void {
  const next = (counts.get(name) ?? 0) + by;
  if (next <= 0) counts.delete(name);
  else counts.set(name, next);
}
