import { describe, expect, it } from 'vitest';
import { type BucketUsage, type MeterPlan, meterIncrements, REQUEST_METER } from './meter-split.ts';

const plan = (tools: string[], requestMetered = true): MeterPlan => ({
  requestMetered,
  pricedTools: new Set(tools),
});
const bucket = (
  billable: bigint,
  toolCalls: Record<string, bigint> = {},
  pushed: Record<string, bigint> = {},
): BucketUsage => ({ billable, toolCalls, pushed });

/** Applies a bucket's increments to its ledger, as the push rows do. */
function apply(usage: BucketUsage, meters: MeterPlan): Record<string, bigint> {
  const pushed = { ...usage.pushed };
  for (const { meter, value, cumulative } of meterIncrements(usage, meters).increments) {
    pushed[meter] = (pushed[meter] ?? 0n) + value;
    expect(pushed[meter]).toBe(cumulative);
  }
  return pushed;
}

const sum = (pushed: Record<string, bigint>) => Object.values(pushed).reduce((a, b) => a + b, 0n);

describe('meterIncrements', () => {
  it('puts priced tool calls on their meters and only the other requests on the request meter', () => {
    const result = meterIncrements(
      bucket(100n, { search: 30n, create_order: 5n, unpriced: 10n }),
      plan(['search', 'create_order']),
    );
    expect(result).toEqual({
      overPushed: false,
      increments: [
        { meter: 'create_order', value: 5n, cumulative: 5n },
        { meter: 'search', value: 30n, cumulative: 30n },
        { meter: REQUEST_METER, value: 65n, cumulative: 65n },
      ],
    });
  });

  it('pushes only the growth of a bucket, never the same calls twice', () => {
    const meters = plan(['search']);
    const first = apply(bucket(50n, { search: 20n }), meters);
    expect(first).toEqual({ search: 20n, [REQUEST_METER]: 30n });
    const again = meterIncrements(bucket(50n, { search: 20n }, first), meters);
    expect(again).toEqual({ increments: [], overPushed: false });
    const grown = apply(bucket(80n, { search: 25n }, first), meters);
    expect(grown).toEqual({ search: 25n, [REQUEST_METER]: 55n });
  });

  it('a plan without a request price only meters its tools', () => {
    expect(meterIncrements(bucket(40n, { search: 7n }), plan(['search'], false))).toEqual({
      overPushed: false,
      increments: [{ meter: 'search', value: 7n, cumulative: 7n }],
    });
  });

  it('a tool priced after its calls reached the request meter never bills them twice', () => {
    const before = apply(bucket(100n, { search: 30n }), plan([]));
    expect(before).toEqual({ [REQUEST_METER]: 100n });
    const meters = plan(['search']);
    const now = meterIncrements(bucket(100n, { search: 30n }, before), meters);
    expect(now).toEqual({ increments: [], overPushed: true });
    // New usage: its calls of the tool go to the tool meter, the total stays the billable requests.
    const later = apply(bucket(110n, { search: 35n }, before), meters);
    expect(sum(later)).toBe(110n);
    expect(later.search).toBe(10n);
  });

  it('a tool no longer priced keeps the calls already on its meter off the request meter', () => {
    const before = apply(bucket(100n, { search: 30n }), plan(['search']));
    const after = apply(bucket(120n, { search: 40n }, before), plan([]));
    expect(after).toEqual({ search: 30n, [REQUEST_METER]: 90n });
    expect(sum(after)).toBe(120n);
  });

  it('reports a bucket whose usage shrank and pushes nothing beyond it', () => {
    const result = meterIncrements(
      bucket(10n, { search: 2n }, { search: 5n, [REQUEST_METER]: 20n }),
      plan(['search']),
    );
    expect(result).toEqual({ increments: [], overPushed: true });
  });
});
