-- AlterTable
ALTER TABLE "AiModelPrice" ADD COLUMN     "contextWindow" INTEGER,
ADD COLUMN     "inputModalities" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "maxOutputTokens" INTEGER,
ADD COLUMN     "outputModalities" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "perAudioSecond" TEXT,
ADD COLUMN     "perCall" TEXT,
ADD COLUMN     "perImage" TEXT;

