-- AlterTable
ALTER TABLE "Api" ADD COLUMN     "promptRelease" JSONB;

-- AlterTable
ALTER TABLE "AiCallLog" ADD COLUMN     "promptVersion" INTEGER;

-- CreateTable
CREATE TABLE "PromptVersion" (
    "id" TEXT NOT NULL,
    "apiId" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "number" INTEGER NOT NULL,
    "config" JSONB NOT NULL,
    "note" TEXT NOT NULL DEFAULT '',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdById" TEXT,

    CONSTRAINT "PromptVersion_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "PromptVersion_orgId_idx" ON "PromptVersion"("orgId");

-- CreateIndex
CREATE UNIQUE INDEX "PromptVersion_apiId_number_key" ON "PromptVersion"("apiId", "number");

-- AddForeignKey
ALTER TABLE "PromptVersion" ADD CONSTRAINT "PromptVersion_apiId_fkey" FOREIGN KEY ("apiId") REFERENCES "Api"("id") ON DELETE CASCADE ON UPDATE CASCADE;

