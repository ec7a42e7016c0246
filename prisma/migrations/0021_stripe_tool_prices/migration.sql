-- DropIndex
DROP INDEX "StripeMeterPush_subscriptionId_bucketStart_cumulative_key";

-- AlterTable
ALTER TABLE "StripePlanPrice" ADD COLUMN     "toolPrices" JSONB NOT NULL DEFAULT '{}';

-- AlterTable
ALTER TABLE "StripeMeterPush" ADD COLUMN     "tool" TEXT NOT NULL DEFAULT '';

-- CreateIndex
CREATE UNIQUE INDEX "StripeMeterPush_subscriptionId_bucketStart_tool_cumulative_key" ON "StripeMeterPush"("subscriptionId", "bucketStart", "tool", "cumulative");

