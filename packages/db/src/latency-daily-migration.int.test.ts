import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from './migrate.ts';
import { type DatabaseBefore, databaseBefore } from './migrate-scratch.ts';

/*
 * Migration 0013 creates LatencyDailyRollup, LatencyApiRollup and LatencyApiDailyRollup and fills them
 * from the existing hourly histograms. Run on a
 * scratch database migrated to the one before it and filled with hourly rows.
 */

const DAILY = '0013_latency_daily_rollup';

describe('migration 0013: daily and per-API latency histograms backfilled from the hourly ones', () => {
  let scratch: DatabaseBefore;
  let databaseUrl: string;
  let client: pg.Client;

  beforeAll(async () => {
    scratch = await databaseBefore(DAILY, 'm0013');
    databaseUrl = scratch.url;
    client = scratch.client;
  });
  afterAll(async () => {
    await scratch?.drop();
  });

  it('adds every hourly histogram into its UTC day, element by element, whatever its length', async () => {
    const hourly = (
      api: string,
      sub: string,
      at: string,
      counts: number[] | null,
      requests: number,
      errors: number,
    ) =>
      client.query(
        `INSERT INTO "LatencyRollup" (id, "apiId", "subscriptionId", "bucketStart", counts, requests, errors, "updatedAt")
         VALUES (gen_random_uuid()::text, $1, $2, $3, $4, $5, $6, $7)`,
        [api, sub, at, counts, requests, errors, at],
      );
    await hourly('a1', 's1', '2025-01-05 00:00', [1, 2, 3], 6, 1);
    await hourly('a1', 's1', '2025-01-05 23:00', [10, 20, 30, 40], 100, 0);
    // Near the 32-bit limit: the daily sum must not overflow.
    await hourly('a1', 's1', '2025-01-05 12:00', [2_000_000_000], 2_000_000_000, 0);
    await hourly('a1', 's1', '2025-01-05 13:00', [2_000_000_000], 2_000_000_000, 0);
    await hourly('a1', 's1', '2025-01-06 00:00', [5], 5, 5);
    await hourly('a1', '', '2025-01-05 07:00', [0, 7], 7, 0); // refused before a subscription was known
    await hourly('a2', 's1', '2025-01-05 07:00', null, 3, 3);

    expect((await migrate(databaseUrl)).applied).toContain(DAILY);

    const { rows } = await client.query<{
      apiId: string;
      subscriptionId: string;
      day: string;
      counts: string[];
      requests: string;
      errors: string;
      updatedAt: string;
    }>(
      `SELECT "apiId", "subscriptionId", to_char(day, 'YYYY-MM-DD') AS day, counts::text[] AS counts,
         requests::text, errors::text, to_char("updatedAt", 'YYYY-MM-DD HH24:MI') AS "updatedAt"
       FROM "LatencyDailyRollup" ORDER BY 1, 2, 3`,
    );
    expect(rows.map(({ updatedAt: _, ...row }) => row)).toEqual([
      { apiId: 'a1', subscriptionId: '', day: '2025-01-05', counts: ['0', '7'], requests: '7', errors: '0' },
      {
        apiId: 'a1',
        subscriptionId: 's1',
        day: '2025-01-05',
        counts: ['4000000011', '22', '33', '40'],
        requests: '4000000106',
        errors: '1',
      },
      { apiId: 'a1', subscriptionId: 's1', day: '2025-01-06', counts: ['5'], requests: '5', errors: '5' },
      { apiId: 'a2', subscriptionId: 's1', day: '2025-01-05', counts: [], requests: '3', errors: '3' },
    ]);
    expect(rows[1]?.updatedAt).toBe('2025-01-05 23:00'); // the latest of its hours

    // Per API: every caller's histograms (refused requests included) added up, per hour and per day.
    const perApi = async (table: string, at: string) =>
      (
        await client.query(
          `SELECT "apiId", to_char(${at}, 'YYYY-MM-DD HH24') AS at, counts::text[] AS counts, requests::text,
             errors::text FROM "${table}" ORDER BY 1, 2`,
        )
      ).rows;
    expect(await perApi('LatencyApiRollup', '"bucketStart"')).toEqual([
      { apiId: 'a1', at: '2025-01-05 00', counts: ['1', '2', '3'], requests: '6', errors: '1' },
      { apiId: 'a1', at: '2025-01-05 07', counts: ['0', '7'], requests: '7', errors: '0' },
      { apiId: 'a1', at: '2025-01-05 12', counts: ['2000000000'], requests: '2000000000', errors: '0' },
      { apiId: 'a1', at: '2025-01-05 13', counts: ['2000000000'], requests: '2000000000', errors: '0' },
      { apiId: 'a1', at: '2025-01-05 23', counts: ['10', '20', '30', '40'], requests: '100', errors: '0' },
      { apiId: 'a1', at: '2025-01-06 00', counts: ['5'], requests: '5', errors: '5' },
      { apiId: 'a2', at: '2025-01-05 07', counts: [], requests: '3', errors: '3' },
    ]);
    expect(await perApi('LatencyApiDailyRollup', 'day')).toEqual([
      {
        apiId: 'a1',
        at: '2025-01-05 00',
        counts: ['4000000011', '29', '33', '40'],
        requests: '4000000113',
        errors: '1',
      },
      { apiId: 'a1', at: '2025-01-06 00', counts: ['5'], requests: '5', errors: '5' },
      { apiId: 'a2', at: '2025-01-05 00', counts: [], requests: '3', errors: '3' },
    ]);
  });
});
