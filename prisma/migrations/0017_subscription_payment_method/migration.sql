-- AlterTable
ALTER TABLE "Subscription" ADD COLUMN     "paymentMethodError" TEXT,
ADD COLUMN     "pendingReason" TEXT;

