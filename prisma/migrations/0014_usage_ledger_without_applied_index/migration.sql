-- DropIndex
DROP INDEX "UsageEvent_appliedAt_idx";

