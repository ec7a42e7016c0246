-- AlterTable
ALTER TABLE "Api" ADD COLUMN     "upstream" JSONB NOT NULL DEFAULT '{}';

-- AlterTable
ALTER TABLE "Plan" ADD COLUMN     "limits" JSONB NOT NULL DEFAULT '[]';

-- CreateTable
CREATE TABLE "PlatformSetting" (
    "key" TEXT NOT NULL,
    "value" JSONB NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PlatformSetting_pkey" PRIMARY KEY ("key")
);

