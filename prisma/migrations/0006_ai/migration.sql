-- CreateEnum
CREATE TYPE "ApiKind" AS ENUM ('REST', 'AI', 'PROMPT');

-- AlterTable
ALTER TABLE "Api" ADD COLUMN     "ai" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "kind" "ApiKind" NOT NULL DEFAULT 'REST';

-- AlterTable
ALTER TABLE "Plan" ADD COLUMN     "aiLimits" JSONB NOT NULL DEFAULT '[]';

-- CreateTable
CREATE TABLE "ProviderCredential" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "baseUrl" TEXT,
    "apiVersion" TEXT,
    "headers" JSONB NOT NULL DEFAULT '{}',
    "secretEncrypted" TEXT NOT NULL,
    "secretHint" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ProviderCredential_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AiModelPrice" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "inputPerMillion" TEXT NOT NULL,
    "outputPerMillion" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AiModelPrice_pkey" PRIMARY KEY ("id")
);

-- CreateTable
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

    CONSTRAINT "AiCallLog_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ProviderCredential_orgId_name_key" ON "ProviderCredential"("orgId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "AiModelPrice_orgId_provider_model_key" ON "AiModelPrice"("orgId", "provider", "model");

-- CreateIndex
CREATE INDEX "AiCallLog_orgId_at_idx" ON "AiCallLog"("orgId", "at");

-- CreateIndex
CREATE INDEX "AiCallLog_apiId_at_idx" ON "AiCallLog"("apiId", "at");

-- AddForeignKey
ALTER TABLE "ProviderCredential" ADD CONSTRAINT "ProviderCredential_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AiModelPrice" ADD CONSTRAINT "AiModelPrice_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

