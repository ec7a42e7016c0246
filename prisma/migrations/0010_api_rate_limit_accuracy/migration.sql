-- CreateEnum
CREATE TYPE "RateLimitAccuracy" AS ENUM ('EXACT', 'LOCAL_FIRST');

-- AlterTable
ALTER TABLE "Api" ADD COLUMN     "rateLimitAccuracy" "RateLimitAccuracy" NOT NULL DEFAULT 'EXACT';

