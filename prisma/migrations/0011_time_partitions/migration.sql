-- Time partitioning of the append-only logs: "RequestLog", "AiCallLog" and the usage dedupe ledger
-- "UsageEvent" become PARTITION BY RANGE ("at"), one partition per UTC day ("<table>_pYYYYMMDD") plus a
-- DEFAULT partition ("<table>_default") so that no row is ever refused. Retention then detaches and drops
-- whole days instead of deleting rows (docs/decisions/time-partitions.md). The primary key of a
-- partitioned table must contain the partition column, hence ("id", "at"); "at" is fixed when a row is
-- first written (and travels with a redelivered usage event), so ON CONFLICT ("id", "at") still dedupes.
--
-- Each table: the old one is renamed and its constraint and index names freed; the partitioned parent is
-- created with the same columns and indexes; day partitions cover every day holding rows (within the
-- last 400 days; older rows land in DEFAULT) and yesterday … 7 days ahead; the rows are copied; the old
-- table is dropped. Later partitions are created ahead of time by @portcullis/db/partitions.

-- RequestLog
ALTER TABLE "RequestLog" RENAME TO "RequestLog_unpartitioned";
ALTER TABLE "RequestLog_unpartitioned" DROP CONSTRAINT "RequestLog_pkey";
DROP INDEX "RequestLog_orgId_at_idx";
DROP INDEX "RequestLog_subscriptionId_at_idx";
DROP INDEX "RequestLog_appId_at_idx";

CREATE TABLE "RequestLog" (
    "id" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "orgId" TEXT,
    "apiId" TEXT,
    "appId" TEXT,
    "keyId" TEXT,
    "subscriptionId" TEXT,
    "method" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "status" INTEGER NOT NULL,
    "latencyMs" INTEGER NOT NULL,
    "upstreamMs" INTEGER,
    "bytesIn" INTEGER NOT NULL DEFAULT 0,
    "bytesOut" INTEGER NOT NULL DEFAULT 0,
    "clientIp" TEXT,
    "userAgent" TEXT,
    "errorCode" TEXT,

    CONSTRAINT "RequestLog_pkey" PRIMARY KEY ("id", "at")
) PARTITION BY RANGE ("at");

CREATE INDEX "RequestLog_orgId_at_idx" ON "RequestLog"("orgId", "at");
CREATE INDEX "RequestLog_subscriptionId_at_idx" ON "RequestLog"("subscriptionId", "at");
CREATE INDEX "RequestLog_appId_at_idx" ON "RequestLog"("appId", "at");
CREATE TABLE "RequestLog_default" PARTITION OF "RequestLog" DEFAULT;

-- AiCallLog
ALTER TABLE "AiCallLog" RENAME TO "AiCallLog_unpartitioned";
ALTER TABLE "AiCallLog_unpartitioned" DROP CONSTRAINT "AiCallLog_pkey";
DROP INDEX "AiCallLog_orgId_at_idx";
DROP INDEX "AiCallLog_apiId_at_idx";

CREATE TABLE "AiCallLog" (
    "id" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "orgId" TEXT NOT NULL,
    "apiId" TEXT NOT NULL,
    "subscriptionId" TEXT,
    "appId" TEXT,
    "keyId" TEXT,
    "requestId" TEXT NOT NULL,
    "surface" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "provider" TEXT,
    "providerModel" TEXT,
    "status" INTEGER NOT NULL,
    "errorCode" TEXT,
    "stream" BOOLEAN NOT NULL DEFAULT false,
    "tokensIn" INTEGER NOT NULL DEFAULT 0,
    "tokensOut" INTEGER NOT NULL DEFAULT 0,
    "tokensEstimated" BOOLEAN NOT NULL DEFAULT false,
    "costMicros" BIGINT NOT NULL DEFAULT 0,
    "latencyMs" INTEGER NOT NULL,
    "ttftMs" INTEGER,
    "attempts" INTEGER NOT NULL DEFAULT 1,
    "requestBody" TEXT,
    "responseBody" TEXT,

    CONSTRAINT "AiCallLog_pkey" PRIMARY KEY ("id", "at")
) PARTITION BY RANGE ("at");

CREATE INDEX "AiCallLog_orgId_at_idx" ON "AiCallLog"("orgId", "at");
CREATE INDEX "AiCallLog_apiId_at_idx" ON "AiCallLog"("apiId", "at");
CREATE TABLE "AiCallLog_default" PARTITION OF "AiCallLog" DEFAULT;

-- UsageEvent
ALTER TABLE "UsageEvent" RENAME TO "UsageEvent_unpartitioned";
ALTER TABLE "UsageEvent_unpartitioned" DROP CONSTRAINT "UsageEvent_pkey";
DROP INDEX "UsageEvent_appliedAt_idx";

CREATE TABLE "UsageEvent" (
    "id" TEXT NOT NULL,
    "subscriptionId" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "status" INTEGER NOT NULL,
    "billable" BOOLEAN NOT NULL,
    "tokensIn" INTEGER NOT NULL DEFAULT 0,
    "tokensOut" INTEGER NOT NULL DEFAULT 0,
    "costMicros" BIGINT NOT NULL DEFAULT 0,
    "appliedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "UsageEvent_pkey" PRIMARY KEY ("id", "at")
) PARTITION BY RANGE ("at");

CREATE INDEX "UsageEvent_appliedAt_idx" ON "UsageEvent"("appliedAt");
CREATE TABLE "UsageEvent_default" PARTITION OF "UsageEvent" DEFAULT;

-- Day partitions: every UTC day holding rows in the last 400 days, and yesterday … 7 days ahead.
DO $$
DECLARE
  parent text;
  today date := (now() AT TIME ZONE 'UTC')::date;
  day date;
BEGIN
  FOREACH parent IN ARRAY ARRAY['RequestLog', 'AiCallLog', 'UsageEvent'] LOOP
    FOR day IN EXECUTE format(
      'SELECT DISTINCT "at"::date FROM %I WHERE "at" >= $1
       UNION SELECT generate_series($2::timestamp, $3::timestamp, interval ''1 day'')::date
       ORDER BY 1',
      parent || '_unpartitioned') USING (today - 400)::timestamp, today - 1, today + 7
    LOOP
      EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
        parent || '_p' || to_char(day, 'YYYYMMDD'), parent, day::timestamp, (day + 1)::timestamp);
    END LOOP;
  END LOOP;
END $$;

-- The rows, each routed to its day (or DEFAULT).
INSERT INTO "RequestLog" ("id", "at", "orgId", "apiId", "appId", "keyId", "subscriptionId", "method", "path",
    "status", "latencyMs", "upstreamMs", "bytesIn", "bytesOut", "clientIp", "userAgent", "errorCode")
  SELECT "id", "at", "orgId", "apiId", "appId", "keyId", "subscriptionId", "method", "path",
    "status", "latencyMs", "upstreamMs", "bytesIn", "bytesOut", "clientIp", "userAgent", "errorCode"
  FROM "RequestLog_unpartitioned";
DROP TABLE "RequestLog_unpartitioned";

INSERT INTO "AiCallLog" ("id", "at", "orgId", "apiId", "subscriptionId", "appId", "keyId", "requestId",
    "surface", "model", "provider", "providerModel", "status", "errorCode", "stream", "tokensIn", "tokensOut",
    "tokensEstimated", "costMicros", "latencyMs", "ttftMs", "attempts", "requestBody", "responseBody")
  SELECT "id", "at", "orgId", "apiId", "subscriptionId", "appId", "keyId", "requestId",
    "surface", "model", "provider", "providerModel", "status", "errorCode", "stream", "tokensIn", "tokensOut",
    "tokensEstimated", "costMicros", "latencyMs", "ttftMs", "attempts", "requestBody", "responseBody"
  FROM "AiCallLog_unpartitioned";
DROP TABLE "AiCallLog_unpartitioned";

INSERT INTO "UsageEvent" ("id", "subscriptionId", "at", "status", "billable", "tokensIn", "tokensOut",
    "costMicros", "appliedAt")
  SELECT "id", "subscriptionId", "at", "status", "billable", "tokensIn", "tokensOut", "costMicros", "appliedAt"
  FROM "UsageEvent_unpartitioned";
DROP TABLE "UsageEvent_unpartitioned";
