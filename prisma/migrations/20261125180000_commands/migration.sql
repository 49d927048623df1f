-- CreateEnum
CREATE TYPE "CommandStatus" AS ENUM ('CREATED', 'QUEUED', 'SENT', 'ACCEPTED', 'COMPLETED', 'REJECTED', 'FAILED', 'EXPIRED', 'CANCELLED');

-- CreateTable
CREATE TABLE "Command" (
    "id" UUID NOT NULL,
    "seq" BIGSERIAL NOT NULL,
    "machineId" UUID NOT NULL,
    "machineKey" TEXT NOT NULL,
    "siteKey" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "params" JSONB NOT NULL,
    "status" "CommandStatus" NOT NULL,
    "reason" TEXT,
    "requestedBy" TEXT NOT NULL,
    "origin" TEXT,
    "confirmed" BOOLEAN NOT NULL DEFAULT false,
    "alertId" UUID,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sentAt" TIMESTAMPTZ(3),
    "acceptedAt" TIMESTAMPTZ(3),
    "finishedAt" TIMESTAMPTZ(3),
    "publishes" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "Command_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CommandEvent" (
    "id" BIGSERIAL NOT NULL,
    "commandId" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "from" "CommandStatus",
    "to" "CommandStatus" NOT NULL,
    "actor" TEXT NOT NULL,
    "reason" TEXT,

    CONSTRAINT "CommandEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Command_seq_key" ON "Command"("seq");

-- CreateIndex
CREATE INDEX "Command_machineId_status_idx" ON "Command"("machineId", "status");

-- CreateIndex
CREATE INDEX "Command_siteKey_createdAt_idx" ON "Command"("siteKey", "createdAt");

-- CreateIndex
CREATE INDEX "CommandEvent_commandId_at_idx" ON "CommandEvent"("commandId", "at");

-- at most one command in flight (sent, not finally answered) per machine: the database enforces it
CREATE UNIQUE INDEX "Command_in_flight_machine_key" ON "Command"("machineId") WHERE "status" IN ('SENT', 'ACCEPTED');

-- AddForeignKey
ALTER TABLE "Command" ADD CONSTRAINT "Command_machineId_fkey" FOREIGN KEY ("machineId") REFERENCES "Machine"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CommandEvent" ADD CONSTRAINT "CommandEvent_commandId_fkey" FOREIGN KEY ("commandId") REFERENCES "Command"("id") ON DELETE CASCADE ON UPDATE CASCADE;
