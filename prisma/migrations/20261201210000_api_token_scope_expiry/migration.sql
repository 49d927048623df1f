-- CreateEnum
CREATE TYPE "TokenScope" AS ENUM ('READ_ONLY', 'READ_WRITE');

-- AlterTable: tokens made before scopes existed keep what they could do (READ_WRITE) and never
-- expire; a token created from now on is read-only unless chosen otherwise, and has an expiry
ALTER TABLE "ApiToken" ADD COLUMN "scope" "TokenScope" NOT NULL DEFAULT 'READ_WRITE',
ADD COLUMN "expiresAt" TIMESTAMPTZ(3);
ALTER TABLE "ApiToken" ALTER COLUMN "scope" SET DEFAULT 'READ_ONLY';
