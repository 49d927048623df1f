-- AlterTable
ALTER TABLE "LossMapping" ADD COLUMN     "startupWindowS" DOUBLE PRECISION NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "ReasonEdit" (
    "id" UUID NOT NULL,
    "machineId" UUID NOT NULL,
    "start" TIMESTAMPTZ(3) NOT NULL,
    "end" TIMESTAMPTZ(3) NOT NULL,
    "reason" TEXT NOT NULL,
    "note" TEXT,
    "kind" TEXT NOT NULL,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ReasonEdit_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditLog" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor" TEXT NOT NULL,
    "origin" TEXT,
    "action" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "siteSlug" TEXT,
    "result" TEXT NOT NULL,
    "details" JSONB NOT NULL,

    CONSTRAINT "AuditLog_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ReasonEdit_machineId_start_idx" ON "ReasonEdit"("machineId", "start");

-- CreateIndex
CREATE INDEX "AuditLog_at_idx" ON "AuditLog"("at");

-- CreateIndex
CREATE INDEX "AuditLog_siteSlug_at_idx" ON "AuditLog"("siteSlug", "at");

-- AddForeignKey
ALTER TABLE "ReasonEdit" ADD CONSTRAINT "ReasonEdit_machineId_fkey" FOREIGN KEY ("machineId") REFERENCES "Machine"("id") ON DELETE CASCADE ON UPDATE CASCADE;
