-- CreateTable
CREATE TABLE "UsageAlert" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "subscriptionId" TEXT,
    "apiId" TEXT,
    "target" BIGINT,
    "thresholds" INTEGER[],
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "UsageAlert_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "UsageAlertFiring" (
    "id" TEXT NOT NULL,
    "alertId" TEXT NOT NULL,
    "periodStart" TIMESTAMP(3) NOT NULL,
    "threshold" INTEGER NOT NULL,
    "observed" BIGINT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "UsageAlertFiring_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "UsageAlert_orgId_idx" ON "UsageAlert"("orgId");

-- CreateIndex
CREATE INDEX "UsageAlert_subscriptionId_idx" ON "UsageAlert"("subscriptionId");

-- CreateIndex
CREATE INDEX "UsageAlert_apiId_idx" ON "UsageAlert"("apiId");

-- CreateIndex
CREATE UNIQUE INDEX "UsageAlertFiring_alertId_periodStart_threshold_key" ON "UsageAlertFiring"("alertId", "periodStart", "threshold");

-- AddForeignKey
ALTER TABLE "UsageAlert" ADD CONSTRAINT "UsageAlert_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "UsageAlertFiring" ADD CONSTRAINT "UsageAlertFiring_alertId_fkey" FOREIGN KEY ("alertId") REFERENCES "UsageAlert"("id") ON DELETE CASCADE ON UPDATE CASCADE;

