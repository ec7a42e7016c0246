-- AlterTable
ALTER TABLE "Invoice" ADD COLUMN     "kind" TEXT NOT NULL DEFAULT 'period',
ADD COLUMN     "pricedBillable" BIGINT,
ADD COLUMN     "pricedTokensIn" BIGINT,
ADD COLUMN     "pricedTokensOut" BIGINT,
ADD COLUMN     "pricedWith" JSONB;

-- CreateTable
CREATE TABLE "LateUsageAdjustment" (
    "id" TEXT NOT NULL,
    "adjustedInvoiceId" TEXT NOT NULL,
    "sequence" INTEGER NOT NULL,
    "invoiceId" TEXT,
    "subscriptionId" TEXT,
    "billable" BIGINT NOT NULL,
    "tokensIn" BIGINT NOT NULL,
    "tokensOut" BIGINT NOT NULL,
    "amountMinor" BIGINT NOT NULL,
    "pricedWith" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "LateUsageAdjustment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "UsageWatermark" (
    "source" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "watermark" TIMESTAMP(3) NOT NULL,
    "reportedAt" TIMESTAMP(3) NOT NULL,
    "reportedBy" TEXT NOT NULL DEFAULT '',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "UsageWatermark_pkey" PRIMARY KEY ("source")
);

-- CreateIndex
CREATE INDEX "LateUsageAdjustment_invoiceId_idx" ON "LateUsageAdjustment"("invoiceId");

-- CreateIndex
CREATE UNIQUE INDEX "LateUsageAdjustment_adjustedInvoiceId_sequence_key" ON "LateUsageAdjustment"("adjustedInvoiceId", "sequence");

-- AddForeignKey
ALTER TABLE "LateUsageAdjustment" ADD CONSTRAINT "LateUsageAdjustment_adjustedInvoiceId_fkey" FOREIGN KEY ("adjustedInvoiceId") REFERENCES "Invoice"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LateUsageAdjustment" ADD CONSTRAINT "LateUsageAdjustment_invoiceId_fkey" FOREIGN KEY ("invoiceId") REFERENCES "Invoice"("id") ON DELETE CASCADE ON UPDATE CASCADE;

