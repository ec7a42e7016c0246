-- AlterEnum
ALTER TYPE "ApiKind" ADD VALUE 'MCP';

-- AlterTable
ALTER TABLE "Api" ADD COLUMN     "mcp" JSONB NOT NULL DEFAULT '{}';

-- AlterTable
ALTER TABLE "RequestLog" ADD COLUMN     "mcpTool" TEXT;

-- AlterTable
ALTER TABLE "AuditLog" ADD COLUMN     "apiTokenId" TEXT;

-- CreateTable
CREATE TABLE "ToolCallRollup" (
    "id" TEXT NOT NULL,
    "subscriptionId" TEXT NOT NULL,
    "bucketStart" TIMESTAMP(3) NOT NULL,
    "tool" TEXT NOT NULL,
    "calls" BIGINT NOT NULL DEFAULT 0,
    "billable" BIGINT NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ToolCallRollup_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApiToken" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "last4" TEXT NOT NULL,
    "role" "Role" NOT NULL,
    "scopes" TEXT[],
    "createdById" TEXT,
    "expiresAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),
    "lastUsedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ApiToken_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ToolCallRollup_bucketStart_idx" ON "ToolCallRollup"("bucketStart");

-- CreateIndex
CREATE UNIQUE INDEX "ToolCallRollup_subscriptionId_bucketStart_tool_key" ON "ToolCallRollup"("subscriptionId", "bucketStart", "tool");

-- CreateIndex
CREATE UNIQUE INDEX "ApiToken_hash_key" ON "ApiToken"("hash");

-- CreateIndex
CREATE INDEX "ApiToken_orgId_idx" ON "ApiToken"("orgId");

-- AddForeignKey
ALTER TABLE "ToolCallRollup" ADD CONSTRAINT "ToolCallRollup_subscriptionId_fkey" FOREIGN KEY ("subscriptionId") REFERENCES "Subscription"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApiToken" ADD CONSTRAINT "ApiToken_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AuditLog" ADD CONSTRAINT "AuditLog_apiTokenId_fkey" FOREIGN KEY ("apiTokenId") REFERENCES "ApiToken"("id") ON DELETE SET NULL ON UPDATE CASCADE;

