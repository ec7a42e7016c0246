-- CreateTable
CREATE TABLE "UsageOrgRollup" (
    "orgId" TEXT NOT NULL,
    "side" TEXT NOT NULL,
    "bucketStart" TIMESTAMP(3) NOT NULL,
    "requests" BIGINT NOT NULL DEFAULT 0,
    "billable" BIGINT NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "UsageOrgRollup_pkey" PRIMARY KEY ("orgId","side","bucketStart")
);

-- CreateTable
CREATE TABLE "UsageOrgDailyRollup" (
    "orgId" TEXT NOT NULL,
    "side" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "requests" BIGINT NOT NULL DEFAULT 0,
    "billable" BIGINT NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "UsageOrgDailyRollup_pkey" PRIMARY KEY ("orgId","side","day")
);

-- CreateTable
CREATE TABLE "UsagePairRollup" (
    "providerOrgId" TEXT NOT NULL,
    "bucketStart" TIMESTAMP(3) NOT NULL,
    "apiId" TEXT NOT NULL,
    "consumerOrgId" TEXT NOT NULL,
    "requests" BIGINT NOT NULL DEFAULT 0,
    "errors" BIGINT NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "UsagePairRollup_pkey" PRIMARY KEY ("providerOrgId","bucketStart","apiId","consumerOrgId")
);

-- CreateTable
CREATE TABLE "UsagePairDailyRollup" (
    "providerOrgId" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "apiId" TEXT NOT NULL,
    "consumerOrgId" TEXT NOT NULL,
    "requests" BIGINT NOT NULL DEFAULT 0,
    "errors" BIGINT NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "UsagePairDailyRollup_pkey" PRIMARY KEY ("providerOrgId","day","apiId","consumerOrgId")
);

-- CreateTable
CREATE TABLE "LatencyOrgRollup" (
    "orgId" TEXT NOT NULL,
    "side" TEXT NOT NULL,
    "bucketStart" TIMESTAMP(3) NOT NULL,
    "counts" BIGINT[],
    "requests" BIGINT NOT NULL DEFAULT 0,
    "errors" BIGINT NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "LatencyOrgRollup_pkey" PRIMARY KEY ("orgId","side","bucketStart")
);

-- CreateTable
CREATE TABLE "LatencyOrgDailyRollup" (
    "orgId" TEXT NOT NULL,
    "side" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "counts" BIGINT[],
    "requests" BIGINT NOT NULL DEFAULT 0,
    "errors" BIGINT NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "LatencyOrgDailyRollup_pkey" PRIMARY KEY ("orgId","side","day")
);

-- CreateIndex
CREATE INDEX "UsagePairRollup_consumerOrgId_bucketStart_idx" ON "UsagePairRollup"("consumerOrgId", "bucketStart");

-- CreateIndex
CREATE INDEX "UsagePairDailyRollup_consumerOrgId_day_idx" ON "UsagePairDailyRollup"("consumerOrgId", "day");


ALTER TABLE "UsageOrgRollup" ADD CONSTRAINT "UsageOrgRollup_side_check" CHECK (side IN ('provider', 'consumer'));
ALTER TABLE "UsageOrgDailyRollup" ADD CONSTRAINT "UsageOrgDailyRollup_side_check" CHECK (side IN ('provider', 'consumer'));
ALTER TABLE "LatencyOrgRollup" ADD CONSTRAINT "LatencyOrgRollup_side_check" CHECK (side IN ('provider', 'consumer'));
ALTER TABLE "LatencyOrgDailyRollup" ADD CONSTRAINT "LatencyOrgDailyRollup_side_check" CHECK (side IN ('provider', 'consumer'));

-- Backfill: the existing per-subscription rollups summed per org and side. Provider: the org owning the
-- subscription's API; consumer: the org owning its app.
INSERT INTO "UsageOrgRollup" ("orgId", side, "bucketStart", requests, billable, "updatedAt")
SELECT o.org, o.side, r."bucketStart", sum(r.requests), sum(r.billable), max(r."updatedAt")
FROM "UsageRollup" r
JOIN "Subscription" s ON s.id = r."subscriptionId"
JOIN "App" ap ON ap.id = s."appId"
JOIN "Plan" p ON p.id = s."planId"
JOIN "Api" a ON a.id = p."apiId"
CROSS JOIN LATERAL (VALUES (a."orgId", 'provider'), (ap."orgId", 'consumer')) AS o(org, side)
GROUP BY 1, 2, 3
ORDER BY 1, 2, 3;

INSERT INTO "UsageOrgDailyRollup" ("orgId", side, day, requests, billable, "updatedAt")
SELECT o.org, o.side, r.day, sum(r.requests), sum(r.billable), max(r."updatedAt")
FROM "UsageDailyRollup" r
JOIN "Subscription" s ON s.id = r."subscriptionId"
JOIN "App" ap ON ap.id = s."appId"
JOIN "Plan" p ON p.id = s."planId"
JOIN "Api" a ON a.id = p."apiId"
CROSS JOIN LATERAL (VALUES (a."orgId", 'provider'), (ap."orgId", 'consumer')) AS o(org, side)
GROUP BY 1, 2, 3
ORDER BY 1, 2, 3;

INSERT INTO "UsagePairRollup" ("providerOrgId", "bucketStart", "apiId", "consumerOrgId", requests, errors, "updatedAt")
SELECT a."orgId", r."bucketStart", a.id, ap."orgId", sum(r.requests),
    sum(CASE WHEN r."statusClass" = 5 THEN r.requests ELSE 0 END), max(r."updatedAt")
FROM "UsageRollup" r
JOIN "Subscription" s ON s.id = r."subscriptionId"
JOIN "App" ap ON ap.id = s."appId"
JOIN "Plan" p ON p.id = s."planId"
JOIN "Api" a ON a.id = p."apiId"
GROUP BY 1, 2, 3, 4
ORDER BY 1, 2, 3, 4;

INSERT INTO "UsagePairDailyRollup" ("providerOrgId", day, "apiId", "consumerOrgId", requests, errors, "updatedAt")
SELECT a."orgId", r.day, a.id, ap."orgId", sum(r.requests),
    sum(CASE WHEN r."statusClass" = 5 THEN r.requests ELSE 0 END), max(r."updatedAt")
FROM "UsageDailyRollup" r
JOIN "Subscription" s ON s.id = r."subscriptionId"
JOIN "App" ap ON ap.id = s."appId"
JOIN "Plan" p ON p.id = s."planId"
JOIN "Api" a ON a.id = p."apiId"
GROUP BY 1, 2, 3, 4
ORDER BY 1, 2, 3, 4;

-- Latency: provider counts every histogram of the org's APIs (refused requests included), consumer those
-- of its apps' subscriptions. Added position by position up to the longest array (a position missing
-- from a shorter array counts 0), one sum per position: one pass over the rows.
DO $$
DECLARE
    width int;
    sums text;
    source text;
BEGIN
    FOR source IN SELECT unnest(ARRAY['LatencyRollup', 'LatencyDailyRollup']) LOOP
        EXECUTE format('SELECT coalesce(max(cardinality(counts)), 0) FROM %I', source) INTO width;
        SELECT coalesce(string_agg(format('coalesce(sum(l.counts[%s]), 0)', i), ', ' ORDER BY i), '')
            INTO sums FROM generate_series(1, width) AS i;
        EXECUTE format($sql$
            INSERT INTO %I ("orgId", side, %s, counts, requests, errors, "updatedAt")
            SELECT o.org, o.side, l.%s, ARRAY[%s]::bigint[], sum(l.requests), sum(l.errors), max(l."updatedAt")
            FROM %I l
            JOIN "Api" a ON a.id = l."apiId"
            LEFT JOIN "Subscription" s ON s.id = l."subscriptionId"
            LEFT JOIN "App" ap ON ap.id = s."appId"
            CROSS JOIN LATERAL (VALUES (a."orgId", 'provider'), (ap."orgId", 'consumer')) AS o(org, side)
            WHERE o.org IS NOT NULL
            GROUP BY 1, 2, 3
            ORDER BY 1, 2, 3$sql$,
            CASE source WHEN 'LatencyRollup' THEN 'LatencyOrgRollup' ELSE 'LatencyOrgDailyRollup' END,
            CASE source WHEN 'LatencyRollup' THEN '"bucketStart"' ELSE 'day' END,
            CASE source WHEN 'LatencyRollup' THEN '"bucketStart"' ELSE 'day' END,
            sums, source);
    END LOOP;
END
$$;
