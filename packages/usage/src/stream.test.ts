import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import {
  deadLetterStreamKey,
  decodeUsageEvent,
  decodeUsageFields,
  encodeUsageEvent,
  partitionOf,
  STREAM_PARTITIONS,
  type StreamUsageEvent,
  USAGE_ENTRY_FIELD,
  UsageStreamProducer,
  usageStreamKey,
  usageStreamKeys,
} from './stream.ts';

const event: StreamUsageEvent = {
  id: '0b6e8f0c-2a8e-4c36-9d1e-5f0f7a9b1c2d',
  subscriptionId: 'cmwsub0000001',
  atMs: Date.UTC(2026, 10, 23, 13, 45),
  status: 200,
  billable: true,
  bytesIn: 120,
  bytesOut: 4_096,
};

describe('usage stream encoding', () => {
  it('round-trips an event with and without the optional AI fields', () => {
    expect(decodeUsageEvent(encodeUsageEvent(event))).toEqual({ ok: true, event });
    const ai = {
      ...event,
      billable: false,
      status: 503,
      tokensIn: 12,
      tokensOut: 0,
      costMicros: 1_000_000_000_000n,
    };
    expect(decodeUsageEvent(encodeUsageEvent(ai))).toEqual({ ok: true, event: ai });
    const numberCost = decodeUsageEvent(encodeUsageEvent({ ...event, costMicros: 1_500 }));
    expect(numberCost).toEqual({ ok: true, event: { ...event, costMicros: 1_500n } });
  });

  it('is compact: one field, positional values', () => {
    expect(encodeUsageEvent(event)).toBe(`1|${event.id}|cmwsub0000001|${event.atMs}|200|1|120|4096|||`);
  });

  it('refuses to encode what the worker could not store', () => {
    expect(() => encodeUsageEvent({ ...event, id: 'a|b' })).toThrow(/invalid id/);
    expect(() => encodeUsageEvent({ ...event, subscriptionId: '' })).toThrow(/subscriptionId/);
    expect(() => encodeUsageEvent({ ...event, bytesIn: 1.5 })).toThrow(/bytesIn/);
    expect(() => encodeUsageEvent({ ...event, status: -1 })).toThrow(/status/);
    expect(() => encodeUsageEvent({ ...event, tokensIn: 2 ** 31 })).toThrow(/tokensIn/);
    expect(() => encodeUsageEvent({ ...event, costMicros: -1n })).toThrow(/costMicros/);
    expect(() => encodeUsageEvent({ ...event, costMicros: 10n ** 12n + 1n })).toThrow(/costMicros/);
    expect(() => encodeUsageEvent({ ...event, bytesOut: 2 ** 40 + 1 })).toThrow(/bytesOut/);
    // Past the largest Date: would fail the batch in Postgres on every redelivery.
    expect(() => encodeUsageEvent({ ...event, atMs: 8_640_000_000_000_001 })).toThrow(/atMs/);
  });

  it('decodes malformed entries to a reason instead of throwing', () => {
    const good = encodeUsageEvent(event);
    const cases: [string, RegExp][] = [
      ['', /version/],
      [good.replace(/^1/, '2'), /version/],
      [`${good}|extra|more`, /expected 11 or 12 parts, got 13/],
      [`${good}|`, /invalid tool/],
      [`${good}|tools/call`, /invalid tool/],
      [`${good}|${'t'.repeat(129)}`, /invalid tool/],
      [good.replace('|1|120|', '|yes|120|'), /billable/],
      [good.replace('|120|', '|-5|'), /bytesIn/],
      [good.replace('|120|', '|1e3|'), /bytesIn/],
      [good.replace(`|${event.atMs}|`, '|99999999999999999999|'), /atMs/],
      [`${good}12x`, /costMicros/],
    ];
    for (const [value, reason] of cases) {
      const decoded = decodeUsageEvent(value);
      expect(decoded.ok, value).toBe(false);
      if (!decoded.ok) expect(decoded.reason).toMatch(reason);
    }
  });

  it('carries the MCP tool of a tool call, and leaves other entries as before', () => {
    const call = { ...event, tool: 'search_orders.v2-beta' };
    const encoded = encodeUsageEvent(call);
    expect(encoded).toBe(`1|${event.id}|cmwsub0000001|${event.atMs}|200|1|120|4096||||search_orders.v2-beta`);
    expect(decodeUsageEvent(encoded)).toEqual({ ok: true, event: call });
    // An entry written before tools existed still decodes, without a tool.
    expect(decodeUsageEvent(`1|${event.id}|cmwsub0000001|${event.atMs}|200|1|120|4096|||`)).toEqual({
      ok: true,
      event,
    });
    expect(decodeUsageEvent(encodeUsageEvent({ ...event, tool: 't'.repeat(128) }))).toMatchObject({
      ok: true,
    });
  });

  it('refuses to encode a tool name the rollups and prices could not hold', () => {
    for (const tool of ['', 'a|b', 'a b', 'ünïcode', 't'.repeat(129)]) {
      expect(() => encodeUsageEvent({ ...event, tool }), tool).toThrow(/invalid tool/);
    }
  });

  it('finds the event field in an XREADGROUP field list', () => {
    expect(decodeUsageFields(['other', 'x', USAGE_ENTRY_FIELD, encodeUsageEvent(event)])).toEqual({
      ok: true,
      event,
    });
    expect(decodeUsageFields(['other', 'x'])).toMatchObject({ ok: false, reason: /missing field/ });
    expect(decodeUsageFields(null)).toMatchObject({ ok: false, reason: /deleted/ });
  });
});

describe('usage stream keys', () => {
  it('gives each partition its own Cluster hash tag under the prefix', () => {
    expect(usageStreamKey(0)).toBe('portcullis:usage:{p0}');
    expect(usageStreamKeys('t:')).toEqual(
      Array.from({ length: STREAM_PARTITIONS }, (_, p) => `t:usage:{p${p}}`),
    );
    expect(deadLetterStreamKey('t:')).toBe('t:usage:dead');
  });

  it('partitions by subscription, stably and roughly evenly', () => {
    const counts = new Array<number>(STREAM_PARTITIONS).fill(0);
    for (let i = 0; i < 4_000; i++) {
      const partition = partitionOf(`cmsub${i}`);
      expect(partition).toBe(partitionOf(`cmsub${i}`));
      counts[partition] = (counts[partition] ?? 0) + 1;
    }
    for (const count of counts) expect(count).toBeGreaterThan(4_000 / STREAM_PARTITIONS / 2);
  });
});

interface FakeCommand {
  key: string;
  entry: string;
}

/** Records pipelines; each exec answers after `delayMs` with the scripted outcome. */
function fakeRedis(
  script: { isCluster?: boolean; failWith?: Error; failIndex?: number; hang?: boolean } = {},
) {
  const pipelines: FakeCommand[][] = [];
  const redis = {
    isCluster: script.isCluster ?? false,
    options: {},
    slots: [],
    pipeline() {
      const commands: FakeCommand[] = [];
      const pipeline = {
        xadd(key: string, id: string, field: string, entry: string) {
          expect(id).toBe('*');
          expect(field).toBe(USAGE_ENTRY_FIELD);
          commands.push({ key, entry });
          return pipeline;
        },
        exec() {
          pipelines.push(commands);
          if (script.hang) return new Promise(() => undefined);
          if (script.failWith) return Promise.reject(script.failWith);
          return Promise.resolve(
            commands.map((_, i) =>
              i === script.failIndex ? [new Error('OOM command not allowed'), null] : [null, `${i}-0`],
            ),
          );
        },
      };
      return pipeline;
    },
  };
  return { redis: redis as unknown as Redis, pipelines };
}

const many = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ ...event, id: `ev-${i}`, subscriptionId: `sub-${i}` }));

describe('UsageStreamProducer', () => {
  it('sends everything recorded in one event-loop turn as one pipeline', async () => {
    const { redis, pipelines } = fakeRedis();
    const producer = new UsageStreamProducer(redis, { keyPrefix: 't:' });
    await Promise.all(many(50).map((e) => producer.record(e)));
    expect(pipelines).toHaveLength(1);
    expect(pipelines[0]).toHaveLength(50);
    for (const [i, command] of (pipelines[0] ?? []).entries()) {
      expect(command.key).toBe(usageStreamKey(partitionOf(`sub-${i}`), 't:'));
      expect(decodeUsageEvent(command.entry)).toMatchObject({ ok: true, event: { id: `ev-${i}` } });
    }
    await producer.record(event);
    expect(pipelines).toHaveLength(2);
  });

  it('uses one pipeline per partition on a Cluster (a pipeline must stay on one node)', async () => {
    const { redis, pipelines } = fakeRedis({ isCluster: true });
    const producer = new UsageStreamProducer(redis);
    await Promise.all(many(200).map((e) => producer.record(e)));
    expect(pipelines).toHaveLength(STREAM_PARTITIONS);
    for (const pipeline of pipelines) expect(new Set(pipeline.map((c) => c.key)).size).toBe(1);
    expect(pipelines.flat()).toHaveLength(200);
  });

  it('rejects every record of a failed pipeline, and only the record whose XADD failed', async () => {
    const failing = new UsageStreamProducer(
      fakeRedis({ failWith: new Error('Connection is closed.') }).redis,
    );
    const outcomes = await Promise.allSettled(many(3).map((e) => failing.record(e)));
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);

    const partial = new UsageStreamProducer(fakeRedis({ failIndex: 1 }).redis);
    const mixed = await Promise.allSettled(many(3).map((e) => partial.record(e)));
    expect(mixed.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });

  it('rejects when Redis does not answer in time, and drain() waits for every answer', async () => {
    const producer = new UsageStreamProducer(fakeRedis({ hang: true }).redis, { timeoutMs: 30 });
    const started = Date.now();
    const recorded = producer.record(event);
    const drained = producer.drain();
    await expect(recorded).rejects.toThrow(/no reply within 30 ms/);
    await drained;
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
  });

  it('rejects an invalid event without sending anything', async () => {
    const { redis, pipelines } = fakeRedis();
    const producer = new UsageStreamProducer(redis);
    await expect(producer.record({ ...event, atMs: Number.NaN })).rejects.toThrow(/atMs/);
    await producer.drain();
    expect(pipelines).toHaveLength(0);
  });
});
