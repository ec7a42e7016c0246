-- CreateTable
CREATE TABLE "AiUsageDailyRollup" (
    "orgId" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "apiId" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "calls" BIGINT NOT NULL DEFAULT 0,
    "errors" BIGINT NOT NULL DEFAULT 0,
    "tokensIn" BIGINT NOT NULL DEFAULT 0,
    "tokensOut" BIGINT NOT NULL DEFAULT 0,
    "costMicros" BIGINT NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AiUsageDailyRollup_pkey" PRIMARY KEY ("orgId","day","apiId","model")
);


-- Backfill: the calls still in the log, summed per org, UTC day, API and model.
INSERT INTO "AiUsageDailyRollup" ("orgId", day, "apiId", model, calls, errors, "tokensIn", "tokensOut", "costMicros", "updatedAt")
SELECT "orgId", at::date, "apiId", model, count(*), count(*) FILTER (WHERE status >= 400), sum("tokensIn"),
    sum("tokensOut"), sum("costMicros"), now()
FROM "AiCallLog"
GROUP BY 1, 2, 3, 4
ORDER BY 1, 2, 3, 4;
