-- AlterTable
ALTER TABLE "AiCallLog" ADD COLUMN     "guardrails" JSONB;

