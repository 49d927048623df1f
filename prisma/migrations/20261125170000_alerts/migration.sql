-- CreateEnum
CREATE TYPE "AlertSeverity" AS ENUM ('WARNING', 'CRITICAL');

-- CreateEnum
CREATE TYPE "AlertStatus" AS ENUM ('OPEN', 'ACKNOWLEDGED', 'RESOLVED', 'CLEARED');

-- CreateTable
CREATE TABLE "Alert" (
    "id" UUID NOT NULL,
    "machineId" UUID NOT NULL,
    "machineKey" TEXT NOT NULL,
    "siteKey" TEXT NOT NULL,
    "cause" TEXT NOT NULL,
    "feature" TEXT NOT NULL,
    "severity" "AlertSeverity" NOT NULL,
    "status" "AlertStatus" NOT NULL DEFAULT 'OPEN',
    "value" DOUBLE PRECISION NOT NULL,
    "baseline" DOUBLE PRECISION,
    "zone" TEXT,
    "explanation" TEXT NOT NULL,
    "suggestedAction" TEXT NOT NULL,
    "detectorVersion" TEXT NOT NULL,
    "onsetAt" TIMESTAMPTZ(3) NOT NULL,
    "lastSeenAt" TIMESTAMPTZ(3) NOT NULL,
    "flaps" INTEGER NOT NULL DEFAULT 0,
    "acknowledgedBy" TEXT,
    "acknowledgedAt" TIMESTAMPTZ(3),
    "assignee" TEXT,
    "resolvedBy" TEXT,
    "resolvedAt" TIMESTAMPTZ(3),
    "resolveNote" TEXT,
    "clearedAt" TIMESTAMPTZ(3),
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Alert_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Alert_siteKey_status_idx" ON "Alert"("siteKey", "status");

-- CreateIndex
CREATE INDEX "Alert_machineId_cause_status_idx" ON "Alert"("machineId", "cause", "status");

-- one active alert per machine and cause (open or acknowledged): de-duplication the database enforces
CREATE UNIQUE INDEX "Alert_active_machine_cause_key" ON "Alert"("machineId", "cause") WHERE "status" IN ('OPEN', 'ACKNOWLEDGED');

-- AddForeignKey
ALTER TABLE "Alert" ADD CONSTRAINT "Alert_machineId_fkey" FOREIGN KEY ("machineId") REFERENCES "Machine"("id") ON DELETE CASCADE ON UPDATE CASCADE;
