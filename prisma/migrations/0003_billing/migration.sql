-- DropIndex
DROP INDEX "Invoice_providerOrgId_idx";

-- AlterTable
ALTER TABLE "Plan" ADD COLUMN     "pricing" JSONB NOT NULL DEFAULT '{"model":"free"}';

-- AlterTable
ALTER TABLE "Subscription" ADD COLUMN     "stripeSubscriptionId" TEXT,
ADD COLUMN     "suspendedReason" TEXT;

-- AlterTable
ALTER TABLE "UsageRollup" ADD COLUMN     "costMicros" BIGINT NOT NULL DEFAULT 0,
ADD COLUMN     "tokensIn" BIGINT NOT NULL DEFAULT 0,
ADD COLUMN     "tokensOut" BIGINT NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "Invoice" ADD COLUMN     "billedVia" TEXT NOT NULL DEFAULT 'local',
ADD COLUMN     "dueAt" TIMESTAMP(3),
ADD COLUMN     "number" TEXT NOT NULL,
ADD COLUMN     "paidAt" TIMESTAMP(3),
ADD COLUMN     "subscriptionId" TEXT,
ADD COLUMN     "subtotalMinor" BIGINT NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "InvoiceLine" DROP COLUMN "unitPriceMinor",
ADD COLUMN     "kind" TEXT NOT NULL DEFAULT 'usage',
ADD COLUMN     "unitPrice" TEXT NOT NULL;

-- CreateTable
CREATE TABLE "UsageDailyRollup" (
    "id" TEXT NOT NULL,
    "subscriptionId" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "statusClass" INTEGER NOT NULL,
    "requests" BIGINT NOT NULL DEFAULT 0,
    "billable" BIGINT NOT NULL DEFAULT 0,
    "bytesIn" BIGINT NOT NULL DEFAULT 0,
    "bytesOut" BIGINT NOT NULL DEFAULT 0,
    "tokensIn" BIGINT NOT NULL DEFAULT 0,
    "tokensOut" BIGINT NOT NULL DEFAULT 0,
    "costMicros" BIGINT NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "UsageDailyRollup_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "UsageEvent" (
    "id" TEXT NOT NULL,
    "subscriptionId" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "status" INTEGER NOT NULL,
    "billable" BOOLEAN NOT NULL,
    "tokensIn" INTEGER NOT NULL DEFAULT 0,
    "tokensOut" INTEGER NOT NULL DEFAULT 0,
    "costMicros" BIGINT NOT NULL DEFAULT 0,
    "appliedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "UsageEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "StripeAccount" (
    "orgId" TEXT NOT NULL,
    "secretKeyEnc" TEXT NOT NULL,
    "webhookSecretEnc" TEXT NOT NULL,
    "secretKeyLast4" TEXT NOT NULL,
    "livemode" BOOLEAN NOT NULL DEFAULT false,
    "graceDays" INTEGER NOT NULL DEFAULT 3,
    "connectedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "StripeAccount_pkey" PRIMARY KEY ("orgId")
);

-- CreateTable
CREATE TABLE "StripeCustomer" (
    "id" TEXT NOT NULL,
    "providerOrgId" TEXT NOT NULL,
    "customerOrgId" TEXT NOT NULL,
    "stripeCustomerId" TEXT NOT NULL,
    "hasPaymentMethod" BOOLEAN NOT NULL DEFAULT false,
    "delinquentSince" TIMESTAMP(3),
    "lastPaymentEventAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "StripeCustomer_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "StripePlanPrice" (
    "planId" TEXT NOT NULL,
    "productId" TEXT NOT NULL,
    "meterId" TEXT,
    "meterEventName" TEXT NOT NULL,
    "flatPriceId" TEXT,
    "usagePriceId" TEXT,
    "pricingHash" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "StripePlanPrice_pkey" PRIMARY KEY ("planId")
);

-- CreateTable
CREATE TABLE "StripeMeterPush" (
    "id" TEXT NOT NULL,
    "subscriptionId" TEXT NOT NULL,
    "bucketStart" TIMESTAMP(3) NOT NULL,
    "value" BIGINT NOT NULL,
    "cumulative" BIGINT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sentAt" TIMESTAMP(3),
    "lastError" TEXT,

    CONSTRAINT "StripeMeterPush_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "StripeEvent" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "created" TIMESTAMP(3) NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "StripeEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "UsageDailyRollup_day_idx" ON "UsageDailyRollup"("day");

-- CreateIndex
CREATE UNIQUE INDEX "UsageDailyRollup_subscriptionId_day_statusClass_key" ON "UsageDailyRollup"("subscriptionId", "day", "statusClass");

-- CreateIndex
CREATE INDEX "UsageEvent_appliedAt_idx" ON "UsageEvent"("appliedAt");

-- CreateIndex
CREATE UNIQUE INDEX "StripeCustomer_providerOrgId_customerOrgId_key" ON "StripeCustomer"("providerOrgId", "customerOrgId");

-- CreateIndex
CREATE UNIQUE INDEX "StripeCustomer_providerOrgId_stripeCustomerId_key" ON "StripeCustomer"("providerOrgId", "stripeCustomerId");

-- CreateIndex
CREATE INDEX "StripeMeterPush_sentAt_idx" ON "StripeMeterPush"("sentAt");

-- CreateIndex
CREATE UNIQUE INDEX "StripeMeterPush_subscriptionId_bucketStart_cumulative_key" ON "StripeMeterPush"("subscriptionId", "bucketStart", "cumulative");

-- CreateIndex
CREATE INDEX "Invoice_providerOrgId_status_idx" ON "Invoice"("providerOrgId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "Invoice_subscriptionId_periodStart_key" ON "Invoice"("subscriptionId", "periodStart");

-- CreateIndex
CREATE UNIQUE INDEX "Invoice_providerOrgId_number_key" ON "Invoice"("providerOrgId", "number");

-- AddForeignKey
ALTER TABLE "UsageDailyRollup" ADD CONSTRAINT "UsageDailyRollup_subscriptionId_fkey" FOREIGN KEY ("subscriptionId") REFERENCES "Subscription"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Invoice" ADD CONSTRAINT "Invoice_subscriptionId_fkey" FOREIGN KEY ("subscriptionId") REFERENCES "Subscription"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "StripeAccount" ADD CONSTRAINT "StripeAccount_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "StripePlanPrice" ADD CONSTRAINT "StripePlanPrice_planId_fkey" FOREIGN KEY ("planId") REFERENCES "Plan"("id") ON DELETE CASCADE ON UPDATE CASCADE;

