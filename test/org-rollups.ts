import type { Db } from '@portcullis/db';
import { Prisma } from '@portcullis/db';

/**
 * Rebuilds the per-org rollups (UsageOrgRollup, UsageOrgDailyRollup, LatencyOrgRollup,
 * LatencyOrgDailyRollup) of `orgIds`, and the per-API-and-consumer ones (UsagePairRollup,
 * UsagePairDailyRollup) where either org is one of them, from the per-subscription rows a test wrote
 * directly, as the rollup writer would have kept them: provider rows from the org's APIs, consumer rows
 * from its apps' subscriptions. Tests that seed rollups row by row (to tell which table a query read)
 * call it after.
 */
export async function rebuildOrgRollups(db: Db, orgIds: readonly string[]): Promise<void> {
  const orgs = Prisma.join(orgIds);
  const subscriptionOrgs = Prisma.sql`
    JOIN "Subscription" s ON s.id = r."subscriptionId" JOIN "App" ap ON ap.id = s."appId"
    JOIN "Plan" p ON p.id = s."planId" JOIN "Api" a ON a.id = p."apiId"
    CROSS JOIN LATERAL (VALUES (a."orgId", 'provider'), (ap."orgId", 'consumer')) AS o(org, side)`;
  const sums = Prisma.raw(
    Array.from({ length: 14 }, (_, i) => `coalesce(sum(r.counts[${i + 1}]), 0)`).join(', '),
  );
  const latencyOrgs = Prisma.sql`
    JOIN "Api" a ON a.id = r."apiId" LEFT JOIN "Subscription" s ON s.id = r."subscriptionId"
    LEFT JOIN "App" ap ON ap.id = s."appId"
    CROSS JOIN LATERAL (VALUES (a."orgId", 'provider'), (ap."orgId", 'consumer')) AS o(org, side)`;
  await db.$transaction([
    ...['UsageOrgRollup', 'UsageOrgDailyRollup', 'LatencyOrgRollup', 'LatencyOrgDailyRollup'].map(
      (table) => db.$executeRaw`DELETE FROM ${Prisma.raw(`"${table}"`)} WHERE "orgId" IN (${orgs})`,
    ),
    ...['UsagePairRollup', 'UsagePairDailyRollup'].map(
      (table) =>
        db.$executeRaw`DELETE FROM ${Prisma.raw(`"${table}"`)} WHERE "providerOrgId" IN (${orgs}) OR "consumerOrgId" IN (${orgs})`,
    ),
    db.$executeRaw`INSERT INTO "UsagePairRollup" ("providerOrgId", "bucketStart", "apiId", "consumerOrgId", requests, errors, "updatedAt")
      SELECT a."orgId", r."bucketStart", a.id, ap."orgId", sum(r.requests),
        sum(CASE WHEN r."statusClass" = 5 THEN r.requests ELSE 0 END), now()
      FROM "UsageRollup" r ${subscriptionOrgs}
      WHERE o.side = 'provider' AND (a."orgId" IN (${orgs}) OR ap."orgId" IN (${orgs}))
      GROUP BY 1, 2, 3, 4`,
    db.$executeRaw`INSERT INTO "UsagePairDailyRollup" ("providerOrgId", day, "apiId", "consumerOrgId", requests, errors, "updatedAt")
      SELECT a."orgId", r.day, a.id, ap."orgId", sum(r.requests),
        sum(CASE WHEN r."statusClass" = 5 THEN r.requests ELSE 0 END), now()
      FROM "UsageDailyRollup" r ${subscriptionOrgs}
      WHERE o.side = 'provider' AND (a."orgId" IN (${orgs}) OR ap."orgId" IN (${orgs}))
      GROUP BY 1, 2, 3, 4`,
    db.$executeRaw`INSERT INTO "UsageOrgRollup" ("orgId", side, "bucketStart", requests, billable, "updatedAt")
      SELECT o.org, o.side, r."bucketStart", sum(r.requests), sum(r.billable), now()
      FROM "UsageRollup" r ${subscriptionOrgs} WHERE o.org IN (${orgs}) GROUP BY 1, 2, 3`,
    db.$executeRaw`INSERT INTO "UsageOrgDailyRollup" ("orgId", side, day, requests, billable, "updatedAt")
      SELECT o.org, o.side, r.day, sum(r.requests), sum(r.billable), now()
      FROM "UsageDailyRollup" r ${subscriptionOrgs} WHERE o.org IN (${orgs}) GROUP BY 1, 2, 3`,
    db.$executeRaw`INSERT INTO "LatencyOrgRollup" ("orgId", side, "bucketStart", counts, requests, errors, "updatedAt")
      SELECT o.org, o.side, r."bucketStart", ARRAY[${sums}]::bigint[], sum(r.requests), sum(r.errors), now()
      FROM "LatencyRollup" r ${latencyOrgs} WHERE o.org IN (${orgs}) GROUP BY 1, 2, 3`,
    db.$executeRaw`INSERT INTO "LatencyOrgDailyRollup" ("orgId", side, day, counts, requests, errors, "updatedAt")
      SELECT o.org, o.side, r.day, ARRAY[${sums}]::bigint[], sum(r.requests), sum(r.errors), now()
      FROM "LatencyDailyRollup" r ${latencyOrgs} WHERE o.org IN (${orgs}) GROUP BY 1, 2, 3`,
  ]);
}
