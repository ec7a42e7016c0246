-- AlterTable
ALTER TABLE "Subscription" ADD COLUMN     "stripeEndedAt" TIMESTAMP(3);

