import type { Db, Tx } from '@portcullis/db';

/** Billable calls per tool of the subscriptions' hourly buckets in [from, until) each. */
export async function toolCallsBySubscription(
  db: Db | Tx,
  ranges: readonly { subscriptionId: string; from: Date; until: Date }[],
): Promise<Map<string, Record<string, bigint>>> {
  const bySubscription = new Map<string, Record<string, bigint>>();
  if (ranges.length === 0) return bySubscription;
  const rows = await db.toolCallRollup.groupBy({
    by: ['subscriptionId', 'tool'],
    where: {
      OR: ranges.map((r) => ({
        subscriptionId: r.subscriptionId,
        bucketStart: { gte: r.from, lt: r.until },
      })),
      billable: { gt: 0 },
    },
    _sum: { billable: true },
  });
  for (const row of rows) {
    const calls = bySubscription.get(row.subscriptionId) ?? {};
    calls[row.tool] = row._sum.billable ?? 0n;
    bySubscription.set(row.subscriptionId, calls);
  }
  return bySubscription;
}
