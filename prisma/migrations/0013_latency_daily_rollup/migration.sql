-- CreateTable
CREATE TABLE "LatencyDailyRollup" (
    "id" TEXT NOT NULL,
    "apiId" TEXT NOT NULL,
    "subscriptionId" TEXT NOT NULL DEFAULT '',
    "day" DATE NOT NULL,
    "counts" BIGINT[],
    "requests" BIGINT NOT NULL DEFAULT 0,
    "errors" BIGINT NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "LatencyDailyRollup_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LatencyApiRollup" (
    "id" TEXT NOT NULL,
    "apiId" TEXT NOT NULL,
    "bucketStart" TIMESTAMP(3) NOT NULL,
    "counts" BIGINT[],
    "requests" BIGINT NOT NULL DEFAULT 0,
    "errors" BIGINT NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "LatencyApiRollup_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LatencyApiDailyRollup" (
    "id" TEXT NOT NULL,
    "apiId" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "counts" BIGINT[],
    "requests" BIGINT NOT NULL DEFAULT 0,
    "errors" BIGINT NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "LatencyApiDailyRollup_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "LatencyDailyRollup_apiId_subscriptionId_day_key" ON "LatencyDailyRollup"("apiId", "subscriptionId", "day");

-- CreateIndex
CREATE UNIQUE INDEX "LatencyApiRollup_apiId_bucketStart_key" ON "LatencyApiRollup"("apiId", "bucketStart");

-- CreateIndex
CREATE UNIQUE INDEX "LatencyApiDailyRollup_apiId_day_key" ON "LatencyApiDailyRollup"("apiId", "day");


-- Backfill: every existing hourly histogram added into its UTC day, and over the API's callers, element
-- by element (a position missing from a shorter array counts 0, as when the writer merges them), so the
-- new rows hold exactly what the hourly ones do.
WITH per_position AS (
    SELECT l."apiId", l."subscriptionId", l."bucketStart"::date AS day, c.position, sum(c.n) AS n
    FROM "LatencyRollup" l
    CROSS JOIN LATERAL unnest(l.counts) WITH ORDINALITY AS c(n, position)
    GROUP BY 1, 2, 3, 4
),
histograms AS (
    SELECT "apiId", "subscriptionId", day, array_agg(coalesce(n, 0)::bigint ORDER BY position) AS counts
    FROM per_position
    GROUP BY 1, 2, 3
),
totals AS (
    SELECT "apiId", "subscriptionId", "bucketStart"::date AS day, sum(requests) AS requests, sum(errors) AS errors, max("updatedAt") AS "updatedAt"
    FROM "LatencyRollup"
    GROUP BY 1, 2, 3
)
INSERT INTO "LatencyDailyRollup" (id, "apiId", "subscriptionId", day, counts, requests, errors, "updatedAt")
SELECT gen_random_uuid()::text, t."apiId", t."subscriptionId", t.day, coalesce(h.counts, '{}'), t.requests, t.errors, t."updatedAt"
FROM totals t
LEFT JOIN histograms h USING ("apiId", "subscriptionId", day)
ORDER BY 2, 3, 4;

WITH per_position AS (
    SELECT l."apiId", l."bucketStart", c.position, sum(c.n) AS n
    FROM "LatencyRollup" l
    CROSS JOIN LATERAL unnest(l.counts) WITH ORDINALITY AS c(n, position)
    GROUP BY 1, 2, 3
),
histograms AS (
    SELECT "apiId", "bucketStart", array_agg(coalesce(n, 0)::bigint ORDER BY position) AS counts
    FROM per_position
    GROUP BY 1, 2
),
totals AS (
    SELECT "apiId", "bucketStart", sum(requests) AS requests, sum(errors) AS errors, max("updatedAt") AS "updatedAt"
    FROM "LatencyRollup"
    GROUP BY 1, 2
)
INSERT INTO "LatencyApiRollup" (id, "apiId", "bucketStart", counts, requests, errors, "updatedAt")
SELECT gen_random_uuid()::text, t."apiId", t."bucketStart", coalesce(h.counts, '{}'), t.requests, t.errors, t."updatedAt"
FROM totals t
LEFT JOIN histograms h USING ("apiId", "bucketStart")
ORDER BY 2, 3;

WITH per_position AS (
    SELECT l."apiId", l.day, c.position, sum(c.n) AS n
    FROM "LatencyDailyRollup" l
    CROSS JOIN LATERAL unnest(l.counts) WITH ORDINALITY AS c(n, position)
    GROUP BY 1, 2, 3
),
histograms AS (
    SELECT "apiId", day, array_agg(coalesce(n, 0)::bigint ORDER BY position) AS counts
    FROM per_position
    GROUP BY 1, 2
),
totals AS (
    SELECT "apiId", day, sum(requests) AS requests, sum(errors) AS errors, max("updatedAt") AS "updatedAt"
    FROM "LatencyDailyRollup"
    GROUP BY 1, 2
)
INSERT INTO "LatencyApiDailyRollup" (id, "apiId", day, counts, requests, errors, "updatedAt")
SELECT gen_random_uuid()::text, t."apiId", t.day, coalesce(h.counts, '{}'), t.requests, t.errors, t."updatedAt"
FROM totals t
LEFT JOIN histograms h USING ("apiId", day)
ORDER BY 2, 3;
