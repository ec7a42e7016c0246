import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from './migrate.ts';
import { type DatabaseBefore, databaseBefore } from './migrate-scratch.ts';

/*
 * Migration 0015 creates the per-org rollups (usage and latency, hourly and daily) and fills them from
 * the existing per-subscription and per-API rows. Run on a scratch database migrated to the one before
 * it, with two providers and a consumer calling both.
 */

const ORG_ROLLUPS = '0015_org_analytics_rollups';

describe('migration 0015: per-org rollups backfilled from the per-subscription ones', () => {
  let scratch: DatabaseBefore;
  let client: pg.Client;

  beforeAll(async () => {
    scratch = await databaseBefore(ORG_ROLLUPS, 'm0015');
    client = scratch.client;
  });
  afterAll(async () => {
    await scratch?.drop();
  });

  it('sums usage and latency per provider org and per consumer org, element by element', async () => {
    const q = (text: string, values: unknown[] = []) => client.query(text, values);
    await q(`INSERT INTO "Organization" (id, slug, name, "updatedAt") VALUES
      ('p1', 'p1', 'P1', now()), ('p2', 'p2', 'P2', now()), ('c', 'c', 'C', now())`);
    await q(`INSERT INTO "Api" (id, "orgId", slug, name, "upstreamUrl", "updatedAt") VALUES
      ('a1', 'p1', 'a1', 'A1', 'http://u.test', now()), ('a2', 'p2', 'a2', 'A2', 'http://u.test', now())`);
    await q(
      `INSERT INTO "Plan" (id, "apiId", name, "updatedAt") VALUES ('pl1', 'a1', 'B', now()), ('pl2', 'a2', 'B', now())`,
    );
    await q(`INSERT INTO "App" (id, "orgId", name, "updatedAt") VALUES ('app', 'c', 'App', now())`);
    await q(`INSERT INTO "Subscription" (id, "appId", "planId", status, "currentPeriodStart", "updatedAt") VALUES
      ('s1', 'app', 'pl1', 'ACTIVE', now(), now()), ('s2', 'app', 'pl2', 'ACTIVE', now(), now())`);
    const usage = (table: string, time: string, sid: string, at: string, cls: number, requests: number) =>
      q(
        `INSERT INTO "${table}" (id, "subscriptionId", ${time}, "statusClass", requests, billable, "updatedAt")
         VALUES (gen_random_uuid()::text, $1, $2, $3, $4, $5, now())`,
        [sid, at, cls, requests, cls === 5 ? 0 : requests],
      );
    await usage('UsageRollup', '"bucketStart"', 's1', '2025-01-05 10:00', 2, 100);
    await usage('UsageRollup', '"bucketStart"', 's1', '2025-01-05 10:00', 5, 3);
    await usage('UsageRollup', '"bucketStart"', 's2', '2025-01-05 10:00', 2, 7);
    await usage('UsageRollup', '"bucketStart"', 's2', '2025-01-05 11:00', 2, 1);
    await usage('UsageDailyRollup', 'day', 's1', '2025-01-05', 2, 100);
    await usage('UsageDailyRollup', 'day', 's1', '2025-01-05', 5, 3);
    await usage('UsageDailyRollup', 'day', 's2', '2025-01-05', 2, 8);
    const latency = (table: string, time: string, api: string, sid: string, at: string, counts: number[]) =>
      q(
        `INSERT INTO "${table}" (id, "apiId", "subscriptionId", ${time}, counts, requests, errors, "updatedAt")
         VALUES (gen_random_uuid()::text, $1, $2, $3, $4, $5, $6, now())`,
        [api, sid, at, counts, counts.reduce((a, b) => a + b, 0), counts.at(-1)],
      );
    await latency('LatencyRollup', '"bucketStart"', 'a1', 's1', '2025-01-05 10:00', [1, 2, 3]);
    await latency('LatencyRollup', '"bucketStart"', 'a1', '', '2025-01-05 10:00', [0, 5]); // refused
    // A subscription deleted before: its requests count for the API's provider, for no consumer.
    await latency('LatencyRollup', '"bucketStart"', 'a1', 'gone', '2025-01-05 10:00', [0, 0, 0, 0, 9]);
    await latency('LatencyRollup', '"bucketStart"', 'a2', 's2', '2025-01-05 10:00', [4, 0, 0, 1]);
    // Near the 32-bit limit per bucket: the day's sum must not overflow.
    await latency('LatencyDailyRollup', 'day', 'a1', 's1', '2025-01-05', [2_000_000_000, 2, 3]);
    await latency('LatencyDailyRollup', 'day', 'a2', 's2', '2025-01-05', [2_000_000_000, 0, 0, 1]);

    expect((await migrate(scratch.url)).applied).toContain(ORG_ROLLUPS);

    const rows = async (table: string, time: string, columns: string) =>
      (
        await q(
          `SELECT "orgId", side, to_char(${time}, 'YYYY-MM-DD HH24') AS at, ${columns} FROM "${table}"
           ORDER BY 1, 2, 3`,
        )
      ).rows;
    expect(await rows('UsageOrgRollup', '"bucketStart"', 'requests::text, billable::text')).toEqual([
      { orgId: 'c', side: 'consumer', at: '2025-01-05 10', requests: '110', billable: '107' },
      { orgId: 'c', side: 'consumer', at: '2025-01-05 11', requests: '1', billable: '1' },
      { orgId: 'p1', side: 'provider', at: '2025-01-05 10', requests: '103', billable: '100' },
      { orgId: 'p2', side: 'provider', at: '2025-01-05 10', requests: '7', billable: '7' },
      { orgId: 'p2', side: 'provider', at: '2025-01-05 11', requests: '1', billable: '1' },
    ]);
    expect(await rows('UsageOrgDailyRollup', 'day', 'requests::text')).toEqual([
      { orgId: 'c', side: 'consumer', at: '2025-01-05 00', requests: '111' },
      { orgId: 'p1', side: 'provider', at: '2025-01-05 00', requests: '103' },
      { orgId: 'p2', side: 'provider', at: '2025-01-05 00', requests: '8' },
    ]);
    const pairs = async (table: string, time: string) =>
      (
        await q(
          `SELECT "providerOrgId", to_char(${time}, 'YYYY-MM-DD HH24') AS at, "apiId", "consumerOrgId",
             requests::text, errors::text FROM "${table}" ORDER BY 1, 2, 3, 4`,
        )
      ).rows;
    expect(await pairs('UsagePairRollup', '"bucketStart"')).toEqual([
      {
        providerOrgId: 'p1',
        at: '2025-01-05 10',
        apiId: 'a1',
        consumerOrgId: 'c',
        requests: '103',
        errors: '3',
      },
      {
        providerOrgId: 'p2',
        at: '2025-01-05 10',
        apiId: 'a2',
        consumerOrgId: 'c',
        requests: '7',
        errors: '0',
      },
      {
        providerOrgId: 'p2',
        at: '2025-01-05 11',
        apiId: 'a2',
        consumerOrgId: 'c',
        requests: '1',
        errors: '0',
      },
    ]);
    expect(await pairs('UsagePairDailyRollup', 'day')).toEqual([
      {
        providerOrgId: 'p1',
        at: '2025-01-05 00',
        apiId: 'a1',
        consumerOrgId: 'c',
        requests: '103',
        errors: '3',
      },
      {
        providerOrgId: 'p2',
        at: '2025-01-05 00',
        apiId: 'a2',
        consumerOrgId: 'c',
        requests: '8',
        errors: '0',
      },
    ]);
    // Every histogram is as long as the longest of its source table (missing positions count 0).
    const histograms = 'counts::text[] AS counts, requests::text, errors::text';
    expect(await rows('LatencyOrgRollup', '"bucketStart"', histograms)).toEqual([
      {
        orgId: 'c',
        side: 'consumer',
        at: '2025-01-05 10',
        counts: ['5', '2', '3', '1', '0'],
        requests: '11',
        errors: '4',
      },
      {
        orgId: 'p1',
        side: 'provider',
        at: '2025-01-05 10',
        counts: ['1', '7', '3', '0', '9'],
        requests: '20',
        errors: '17',
      },
      {
        orgId: 'p2',
        side: 'provider',
        at: '2025-01-05 10',
        counts: ['4', '0', '0', '1', '0'],
        requests: '5',
        errors: '1',
      },
    ]);
    expect(await rows('LatencyOrgDailyRollup', 'day', histograms)).toEqual([
      {
        orgId: 'c',
        side: 'consumer',
        at: '2025-01-05 00',
        counts: ['4000000000', '2', '3', '1'],
        requests: '4000000006',
        errors: '4',
      },
      {
        orgId: 'p1',
        side: 'provider',
        at: '2025-01-05 00',
        counts: ['2000000000', '2', '3', '0'],
        requests: '2000000005',
        errors: '3',
      },
      {
        orgId: 'p2',
        side: 'provider',
        at: '2025-01-05 00',
        counts: ['2000000000', '0', '0', '1'],
        requests: '2000000001',
        errors: '1',
      },
    ]);
    await expect(
      q(
        `INSERT INTO "UsageOrgRollup" ("orgId", side, "bucketStart", "updatedAt") VALUES ('c', 'both', now(), now())`,
      ),
    ).rejects.toThrow(/side_check/);
  });
});
