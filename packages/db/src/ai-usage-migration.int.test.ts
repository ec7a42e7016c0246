import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from './migrate.ts';
import { type DatabaseBefore, databaseBefore } from './migrate-scratch.ts';

/* Migration 0016 creates AiUsageDailyRollup and fills it from the calls still in AiCallLog. */

const AI_USAGE = '0016_ai_usage_daily_rollup';

describe('migration 0016: the AI usage per day backfilled from the call log', () => {
  let scratch: DatabaseBefore;

  beforeAll(async () => {
    scratch = await databaseBefore(AI_USAGE, 'm0016');
  });
  afterAll(async () => {
    await scratch?.drop();
  });

  it('sums calls, errors, tokens and exact cost per org, UTC day, API and model', async () => {
    const call = (id: string, at: string, org: string, model: string, status: number, cost: bigint) =>
      scratch.client.query(
        `INSERT INTO "AiCallLog" (id, at, "orgId", "apiId", "requestId", surface, model, status, "tokensIn",
           "tokensOut", "costMicros", "latencyMs")
         VALUES ($1, $2, $3, 'api-' || $3, $1, 'chat', $4, $5, 10, 5, $6, 1)`,
        [id, at, org, model, status, cost.toString()],
      );
    await call('c1', '2025-01-05 23:59:59', 'o1', 'fast', 200, 1n);
    await call('c2', '2025-01-05 00:00:00', 'o1', 'fast', 429, 9_000_000_000_000n);
    await call('c3', '2025-01-06 00:00:00', 'o1', 'fast', 200, 2n);
    await call('c4', '2025-01-05 12:00:00', 'o1', 'smart', 500, 3n);
    await call('c5', '2025-01-05 12:00:00', 'o2', 'fast', 200, 4n);

    expect((await migrate(scratch.url)).applied).toContain(AI_USAGE);

    const { rows } = await scratch.client.query(
      `SELECT "orgId", to_char(day, 'YYYY-MM-DD') AS day, "apiId", model, calls::int, errors::int,
         "tokensIn"::int, "tokensOut"::int, "costMicros"::text
       FROM "AiUsageDailyRollup" ORDER BY 1, 2, 3, 4`,
    );
    const row = (org: string, day: string, model: string, calls: number, errors: number, cost: string) => ({
      orgId: org,
      day,
      apiId: `api-${org}`,
      model,
      calls,
      errors,
      tokensIn: 10 * calls,
      tokensOut: 5 * calls,
      costMicros: cost,
    });
    expect(rows).toEqual([
      row('o1', '2025-01-05', 'fast', 2, 1, '9000000000001'),
      row('o1', '2025-01-05', 'smart', 1, 1, '3'),
      row('o1', '2025-01-06', 'fast', 1, 0, '2'),
      row('o2', '2025-01-05', 'fast', 1, 0, '4'),
    ]);
  });
});
