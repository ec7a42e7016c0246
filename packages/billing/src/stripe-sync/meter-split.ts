/** The StripeMeterPush `tool` of the plan's request meter (a tool meter's is the tool's name). */
export const REQUEST_METER = '';

export interface BucketUsage {
  /** billable requests of the bucket (UsageRollup), priced tool calls included */
  billable: bigint;
  /** billable calls per tool in the bucket (ToolCallRollup); every call is one of the requests above */
  toolCalls: Readonly<Record<string, bigint>>;
  /** what the ledger already holds for the bucket, per meter (REQUEST_METER or tool name) */
  pushed: Readonly<Record<string, bigint>>;
}

export interface MeterPlan {
  /** whether the plan has a metered request price (a flat or hard-capped plan bills no requests) */
  requestMetered: boolean;
  /** tools with a Stripe tool price: their calls go to their own meter, not to the request meter */
  pricedTools: ReadonlySet<string>;
}

export interface BucketIncrements {
  /** per meter: the increase to push and the running total it brings the meter to */
  increments: Array<{ meter: string; value: bigint; cumulative: bigint }>;
  /** a meter already holds more than the bucket's usage now gives it (rollups shrank, or prices moved) */
  overPushed: boolean;
}

const positive = (value: bigint) => (value > 0n ? value : 0n);

/**
 * What a bucket adds to each meter, so that Stripe bills what the local invoice bills: each priced
 * tool's billable calls on its meter, the billable requests minus those calls on the request meter.
 *
 * Meters only ever grow, and a call must never be on two meters. So across all meters a bucket never
 * holds more than its billable requests: tool meters grow only into what no meter holds yet, and the
 * request meter leaves out every call a tool meter holds (even of a tool no longer priced). When a
 * tool's price is added or removed, the bucket's calls already pushed stay where they went.
 */
export function meterIncrements(usage: BucketUsage, plan: MeterPlan): BucketIncrements {
  const pushed = (meter: string) => usage.pushed[meter] ?? 0n;
  const total = Object.values(usage.pushed).reduce((sum, value) => sum + value, 0n);
  let overPushed = total > usage.billable;
  let headroom = positive(usage.billable - total);
  const increments: BucketIncrements['increments'] = [];
  const toolHeld = new Map<string, bigint>();
  for (const tool of Object.keys(usage.pushed)) if (tool !== REQUEST_METER) toolHeld.set(tool, pushed(tool));

  for (const tool of [...plan.pricedTools].sort()) {
    const calls = usage.toolCalls[tool] ?? 0n;
    const have = pushed(tool);
    if (calls < have) overPushed = true;
    const value = calls - have < headroom ? positive(calls - have) : headroom;
    headroom -= value;
    if (value > 0n) increments.push({ meter: tool, value, cumulative: have + value });
    toolHeld.set(tool, calls > have + value ? calls : have + value);
  }

  if (plan.requestMetered) {
    let held = 0n;
    for (const value of toolHeld.values()) held += value;
    const target = positive(usage.billable - held);
    const have = pushed(REQUEST_METER);
    if (target < have) overPushed = true;
    else if (target > have)
      increments.push({ meter: REQUEST_METER, value: target - have, cumulative: target });
  }
  return { increments, overPushed };
}
