import type { Db, Tx } from '@portcullis/db';
import { inTransaction, lockKey } from './context.ts';

/**
 * A sliding-window counter over ThrottleEvent rows, for actions that are rare but must not be repeated
 * at will: sign-ups per client address, verification and notice mails per account or address. An
 * action is admitted while fewer than `limit` events of its bucket fall inside the window; only admitted
 * actions are recorded, so a refused burst does not extend its own wait.
 */
export interface ThrottleRule {
  limit: number;
  windowMs: number;
}

export type ThrottleOutcome = { ok: true } | { ok: false; retryAfterSeconds: number };

/** Events older than a day are deleted, at most once per 10 minutes per process. */
const KEEP_MS = 24 * 60 * 60_000;
const PRUNE_EVERY_MS = 10 * 60_000;
let lastPruneAt = 0;

/** Admits and records one event of `bucket`, or says how long until the oldest one leaves the window. */
export async function takeThrottle(
  db: Db | Tx,
  bucket: string,
  rule: ThrottleRule,
  now = new Date(),
): Promise<ThrottleOutcome> {
  const outcome = await inTransaction(db, async (tx) => {
    // Serialised per bucket, so parallel requests cannot all see room for one more.
    await lockKey(tx, `throttle:${bucket}`);
    const recent = await tx.throttleEvent.findMany({
      where: { bucket, at: { gt: new Date(now.getTime() - rule.windowMs) } },
      orderBy: { at: 'desc' },
      take: rule.limit,
      select: { at: true },
    });
    if (recent.length >= rule.limit) {
      const oldest = recent.at(-1)?.at ?? now;
      const waitMs = oldest.getTime() + rule.windowMs - now.getTime();
      return { ok: false as const, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
    }
    await tx.throttleEvent.create({ data: { bucket, at: now } });
    return { ok: true as const };
  });
  // Not inside a caller's transaction: a failed delete there would abort it.
  if ('$transaction' in db && now.getTime() - lastPruneAt > PRUNE_EVERY_MS) {
    lastPruneAt = now.getTime();
    // Housekeeping must never fail the action it rides on.
    await db.throttleEvent
      .deleteMany({ where: { at: { lt: new Date(now.getTime() - KEEP_MS) } } })
      .catch(() => undefined);
  }
  return outcome;
}
