import { MCP_TOOL_NAME } from '@portcullis/core/mcp/config';
import { RedisTurnWriter } from '@portcullis/db/redis-turn';
import type { Cluster, Redis } from 'ioredis';

/**
 * Usage events on Redis Streams (Redis mode): the gateway XADDs one entry per answered request and the
 * metering worker (apps/metering) reads them through a consumer group into Postgres. Key naming and the
 * entry encoding live here so producer and worker cannot drift apart.
 */

/** Streams per deployment; each is its own Cluster slot (hash tag), so a cluster spreads them. */
export const STREAM_PARTITIONS = 4;
export const USAGE_CONSUMER_GROUP = 'metering';
export const DEFAULT_USAGE_KEY_PREFIX = 'portcullis:';
/** The one field of an entry: a single field keeps entries small and decoding to one split. */
export const USAGE_ENTRY_FIELD = 'u';
const ENCODING_VERSION = '1';

export interface StreamUsageEvent {
  /** Unique per answered request (the gateway generates it): the dedupe key all the way to Postgres. */
  id: string;
  subscriptionId: string;
  atMs: number;
  status: number;
  billable: boolean;
  bytesIn: number;
  bytesOut: number;
  tokensIn?: number;
  tokensOut?: number;
  /** AI provider cost in USD micro-dollars (1e-6 USD, from the tenant price table): an integer, never a float. */
  costMicros?: bigint | number;
  /** MCP tools/call requests: the tool's name (ToolCallRollup, per-tool prices) */
  tool?: string;
}

export function usageStreamKey(partition: number, prefix = DEFAULT_USAGE_KEY_PREFIX): string {
  return `${prefix}usage:{p${partition}}`;
}

export function usageStreamKeys(prefix = DEFAULT_USAGE_KEY_PREFIX): string[] {
  return Array.from({ length: STREAM_PARTITIONS }, (_, partition) => usageStreamKey(partition, prefix));
}

/** Where the worker moves entries it cannot decode, so they never block a partition. */
export function deadLetterStreamKey(prefix = DEFAULT_USAGE_KEY_PREFIX): string {
  return `${prefix}usage:dead`;
}

/** FNV-1a over the id's UTF-16 units: stable across processes and cheap on the hot path. */
export function partitionOf(subscriptionId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < subscriptionId.length; i++) {
    hash ^= subscriptionId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % STREAM_PARTITIONS;
}

const ID = /^[A-Za-z0-9_.:-]{1,128}$/;
const MAX_INT32 = 2_147_483_647;
// Caps that keep every value storable and every rollup sum inside bigint, so no event can make a batch
// fail in Postgres over and over (a poison entry would block its partition).
const MAX_AT_MS = 8_640_000_000_000_000; // the largest JS Date
const MAX_BYTES = 2 ** 40; // 1 TiB per request
const MAX_COST_MICROS = 1_000_000_000_000n; // a million currency units per request

const isCount = (value: number, max: number) => Number.isSafeInteger(value) && value >= 0 && value <= max;

function checkEvent(event: StreamUsageEvent): string | undefined {
  if (!ID.test(event.id)) return 'id';
  if (!ID.test(event.subscriptionId)) return 'subscriptionId';
  if (!isCount(event.atMs, MAX_AT_MS)) return 'atMs';
  if (!isCount(event.status, 999)) return 'status';
  if (!isCount(event.bytesIn, MAX_BYTES)) return 'bytesIn';
  if (!isCount(event.bytesOut, MAX_BYTES)) return 'bytesOut';
  // The UsageEvent columns are int4.
  if (event.tokensIn !== undefined && !isCount(event.tokensIn, MAX_INT32)) return 'tokensIn';
  if (event.tokensOut !== undefined && !isCount(event.tokensOut, MAX_INT32)) return 'tokensOut';
  if (event.costMicros !== undefined) {
    const cost = event.costMicros;
    const valid =
      typeof cost === 'number'
        ? isCount(cost, Number(MAX_COST_MICROS))
        : cost >= 0n && cost <= MAX_COST_MICROS;
    if (!valid) return 'costMicros';
  }
  if (event.tool !== undefined && !MCP_TOOL_NAME.test(event.tool)) return 'tool';
  return undefined;
}

/**
 * `1|id|subscription|atMs|status|billable|bytesIn|bytesOut|tokensIn|tokensOut|costMicros[|tool]`, absent
 * optional values left empty. Ids and tool names are restricted to characters without `|`, so no
 * escaping is needed. The tool part is only written when there is a tool, so entries of other requests
 * stay byte for byte what workers before it read (and entries they wrote still decode).
 */
export function encodeUsageEvent(event: StreamUsageEvent): string {
  const invalid = checkEvent(event);
  if (invalid) throw new TypeError(`usage event has an invalid ${invalid}`);
  const parts: (string | number | bigint)[] = [
    ENCODING_VERSION,
    event.id,
    event.subscriptionId,
    event.atMs,
    event.status,
    event.billable ? 1 : 0,
    event.bytesIn,
    event.bytesOut,
    event.tokensIn ?? '',
    event.tokensOut ?? '',
    event.costMicros ?? '',
  ];
  if (event.tool !== undefined) parts.push(event.tool);
  return parts.join('|');
}

export type DecodedUsageEntry = { ok: true; event: StreamUsageEvent } | { ok: false; reason: string };

const DIGITS = /^\d{1,19}$/;

function parseCount(text: string | undefined): number | undefined {
  if (text === undefined || !DIGITS.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}

/** Never throws: whatever is wrong with an entry becomes a reason, and the entry goes to dead letters. */
export function decodeUsageEvent(value: string): DecodedUsageEntry {
  const parts = value.split('|');
  if (parts[0] !== ENCODING_VERSION) return { ok: false, reason: 'unknown encoding version' };
  if (parts.length !== 11 && parts.length !== 12) {
    return { ok: false, reason: `expected 11 or 12 parts, got ${parts.length}` };
  }
  const [, id, subscriptionId, atMs, status, billable, bytesIn, bytesOut, tokensIn, tokensOut, cost, tool] =
    parts as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string?,
    ];
  if (billable !== '0' && billable !== '1') return { ok: false, reason: 'invalid billable' };
  const event: StreamUsageEvent = {
    id,
    subscriptionId,
    atMs: parseCount(atMs) ?? -1,
    status: parseCount(status) ?? -1,
    billable: billable === '1',
    bytesIn: parseCount(bytesIn) ?? -1,
    bytesOut: parseCount(bytesOut) ?? -1,
  };
  if (tokensIn !== '') event.tokensIn = parseCount(tokensIn) ?? -1;
  if (tokensOut !== '') event.tokensOut = parseCount(tokensOut) ?? -1;
  if (cost !== '') {
    if (!DIGITS.test(cost)) return { ok: false, reason: 'invalid costMicros' };
    event.costMicros = BigInt(cost);
  }
  if (tool !== undefined) event.tool = tool;
  const invalid = checkEvent(event);
  return invalid ? { ok: false, reason: `invalid ${invalid}` } : { ok: true, event };
}

/** Decodes an entry's field list as XREADGROUP returns it (`null` when the entry was deleted). */
export function decodeUsageFields(fields: readonly string[] | null): DecodedUsageEntry {
  if (!fields) return { ok: false, reason: 'entry deleted' };
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] === USAGE_ENTRY_FIELD) return decodeUsageEvent(fields[i + 1] as string);
  }
  return { ok: false, reason: `missing field ${USAGE_ENTRY_FIELD}` };
}

export interface UsageStreamProducerOptions {
  /** Must equal the worker's METERING_REDIS_KEY_PREFIX. */
  keyPrefix?: string;
  /**
   * A hung Redis must not hang responses: reject after this long. The XADD may still land later, which
   * is why a fallback must reuse the event id (the worker drops the second copy).
   */
  timeoutMs?: number;
}

/**
 * Gateway side of Redis-mode metering. `record` resolves once Redis has acknowledged the XADD, so a
 * response ended after it is durable (as durable as Redis' appendfsync makes it). Events go out with
 * everything else the process sends in the same event-loop turn (see RedisTurnWriter): one pipeline per
 * turn, not one round trip per request; with a Cluster, one per slot group.
 */
export class UsageStreamProducer {
  private inFlight = 0;
  private idleWaiters: (() => void)[] = [];
  private readonly keys: string[];
  private readonly timeoutMs: number;
  private readonly turn: RedisTurnWriter;

  /** `redis` may be a turn writer shared with other users of the connection (the gateway's limits). */
  constructor(redis: Redis | Cluster | RedisTurnWriter, options: UsageStreamProducerOptions = {}) {
    this.turn = redis instanceof RedisTurnWriter ? redis : new RedisTurnWriter(redis);
    this.keys = usageStreamKeys(options.keyPrefix);
    this.timeoutMs = options.timeoutMs ?? 1_000;
  }

  /** Rejects on an invalid event, a Redis error or the timeout: the caller then falls back. */
  record(event: StreamUsageEvent): Promise<void> {
    try {
      return this.send(event);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Resolves as soon as the event's XADD has been written to the Redis connection (in the same turn as
   * its batch), without waiting for the reply; `onFailure` runs if Redis then fails to acknowledge it
   * (error or timeout) so the caller can record the event elsewhere under the same id. Rejects at once
   * for an invalid event. The gateway ends a response after this: the client and Redis get their bytes in
   * the same event-loop turn, so a process killed in between can only cut that turn's writes.
   */
  submit(event: StreamUsageEvent, onFailure: (error: Error) => void): Promise<void> {
    return new Promise<void>((written, invalid) => {
      try {
        this.send(event, written).catch(onFailure);
      } catch (error) {
        invalid(error);
      }
    });
  }

  /** Resolves when every recorded event has been answered (acknowledged or rejected). */
  async drain(): Promise<void> {
    if (this.inFlight === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  /** Throws (synchronously) for an event that cannot be encoded. */
  private send(event: StreamUsageEvent, written?: () => void): Promise<void> {
    const entry = encodeUsageEvent(event);
    const key = this.keys[partitionOf(event.subscriptionId)] as string;
    this.inFlight++;
    return this.turn
      .send<unknown>(key, (pipeline) => pipeline.xadd(key, '*', USAGE_ENTRY_FIELD, entry), {
        written,
        timeoutMs: this.timeoutMs,
      })
      .then(
        () => this.settled(),
        (error: unknown) => {
          this.settled();
          throw error instanceof Error ? error : new Error(String(error));
        },
      );
  }

  private settled(): void {
    this.inFlight--;
    if (this.inFlight === 0) for (const wake of this.idleWaiters.splice(0)) wake();
  }
}
