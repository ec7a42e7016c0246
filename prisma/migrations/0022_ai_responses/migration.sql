-- CreateTable
CREATE TABLE "AiResponse" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "apiId" TEXT NOT NULL,
    "appId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "turns" INTEGER NOT NULL,
    "items" JSONB NOT NULL,
    "response" JSONB NOT NULL,

    CONSTRAINT "AiResponse_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "AiResponse_expiresAt_idx" ON "AiResponse"("expiresAt");

