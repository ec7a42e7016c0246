-- Indexes for the request log and AI call log explorers (see docs/operations.md, "How log queries stay
-- fast"). Every page is a keyset range ("at", "id") < (cursor) on an index ending in (at DESC, id DESC);
-- a path prefix is a range on (scope, path text_pattern_ops), which serves LIKE 'prefix%' whatever the
-- database's collation. Plain CREATE INDEX (no CONCURRENTLY, no unique index) works on a plain table and
-- on a partitioned one, where each partition gets its own copy.

-- Replaced by the (at, id) indexes below; nothing reads RequestLog by subscription.
DROP INDEX IF EXISTS "RequestLog_orgId_at_idx";
DROP INDEX IF EXISTS "RequestLog_subscriptionId_at_idx";
DROP INDEX IF EXISTS "RequestLog_appId_at_idx";
DROP INDEX IF EXISTS "AiCallLog_orgId_at_idx";
DROP INDEX IF EXISTS "AiCallLog_apiId_at_idx";

-- CreateIndex
CREATE INDEX "RequestLog_orgId_at_id_idx" ON "RequestLog"("orgId", "at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "RequestLog_appId_at_id_idx" ON "RequestLog"("appId", "at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "RequestLog_orgId_path_idx" ON "RequestLog"("orgId", "path" text_pattern_ops);

-- CreateIndex
CREATE INDEX "RequestLog_appId_path_idx" ON "RequestLog"("appId", "path" text_pattern_ops);

-- CreateIndex
CREATE INDEX "AiCallLog_orgId_at_id_idx" ON "AiCallLog"("orgId", "at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "AiCallLog_apiId_at_id_idx" ON "AiCallLog"("apiId", "at" DESC, "id" DESC);
