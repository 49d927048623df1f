-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "VibrationGroup" AS ENUM ('GROUP_1', 'GROUP_2');

-- CreateEnum
CREATE TYPE "Foundation" AS ENUM ('RIGID', 'FLEXIBLE');

-- CreateEnum
CREATE TYPE "LossCategory" AS ENUM ('PRODUCTIVE', 'REDUCED_SPEED', 'SMALL_STOP', 'SETUP_ADJUSTMENT', 'BREAKDOWN', 'UNPLANNED_STOP', 'PLANNED_STOP');

-- CreateTable
CREATE TABLE "Enterprise" (
    "id" UUID NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Enterprise_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Site" (
    "id" UUID NOT NULL,
    "enterpriseId" UUID NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "timeZone" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Site_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Area" (
    "id" UUID NOT NULL,
    "siteId" UUID NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,

    CONSTRAINT "Area_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Line" (
    "id" UUID NOT NULL,
    "areaId" UUID NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "shiftCalendarId" UUID,

    CONSTRAINT "Line_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Machine" (
    "id" UUID NOT NULL,
    "lineId" UUID NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "idealCycleTimeS" DOUBLE PRECISION NOT NULL,
    "vibrationGroup" "VibrationGroup" NOT NULL DEFAULT 'GROUP_2',
    "foundation" "Foundation" NOT NULL DEFAULT 'RIGID',
    "nominalSpeedRpm" DOUBLE PRECISION,
    "bearingRollingElements" INTEGER,
    "bearingBallDiameterMm" DOUBLE PRECISION,
    "bearingPitchDiameterMm" DOUBLE PRECISION,
    "bearingContactAngleDeg" DOUBLE PRECISION,
    "hasWaveformSensor" BOOLEAN NOT NULL DEFAULT false,
    "lossMappingId" UUID,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Machine_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ShiftCalendar" (
    "id" UUID NOT NULL,
    "siteId" UUID NOT NULL,
    "name" TEXT NOT NULL,

    CONSTRAINT "ShiftCalendar_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Shift" (
    "id" UUID NOT NULL,
    "calendarId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "weekdays" INTEGER[],
    "startLocal" TEXT NOT NULL,
    "endLocal" TEXT NOT NULL,

    CONSTRAINT "Shift_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ShiftBreak" (
    "id" UUID NOT NULL,
    "shiftId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "startOffsetMin" INTEGER NOT NULL,
    "durationMin" INTEGER NOT NULL,

    CONSTRAINT "ShiftBreak_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PlannedStop" (
    "id" UUID NOT NULL,
    "siteId" UUID NOT NULL,
    "lineId" UUID,
    "machineId" UUID,
    "startsAt" TIMESTAMPTZ(3) NOT NULL,
    "endsAt" TIMESTAMPTZ(3) NOT NULL,
    "reason" TEXT NOT NULL,

    CONSTRAINT "PlannedStop_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LossMapping" (
    "id" UUID NOT NULL,
    "enterpriseId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "microStopThresholdS" DOUBLE PRECISION NOT NULL DEFAULT 120,
    "isDefault" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdBy" TEXT,

    CONSTRAINT "LossMapping_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LossMappingRule" (
    "id" UUID NOT NULL,
    "mappingId" UUID NOT NULL,
    "state" TEXT,
    "code" INTEGER,
    "category" INTEGER,
    "reason" TEXT,
    "loss" "LossCategory" NOT NULL,

    CONSTRAINT "LossMappingRule_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Enterprise_slug_key" ON "Enterprise"("slug");

-- CreateIndex
CREATE UNIQUE INDEX "Site_enterpriseId_slug_key" ON "Site"("enterpriseId", "slug");

-- CreateIndex
CREATE UNIQUE INDEX "Area_siteId_slug_key" ON "Area"("siteId", "slug");

-- CreateIndex
CREATE UNIQUE INDEX "Line_areaId_slug_key" ON "Line"("areaId", "slug");

-- CreateIndex
CREATE UNIQUE INDEX "Machine_lineId_slug_key" ON "Machine"("lineId", "slug");

-- CreateIndex
CREATE UNIQUE INDEX "ShiftCalendar_siteId_name_key" ON "ShiftCalendar"("siteId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "Shift_calendarId_name_key" ON "Shift"("calendarId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "LossMapping_enterpriseId_name_version_key" ON "LossMapping"("enterpriseId", "name", "version");

-- AddForeignKey
ALTER TABLE "Site" ADD CONSTRAINT "Site_enterpriseId_fkey" FOREIGN KEY ("enterpriseId") REFERENCES "Enterprise"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Area" ADD CONSTRAINT "Area_siteId_fkey" FOREIGN KEY ("siteId") REFERENCES "Site"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Line" ADD CONSTRAINT "Line_areaId_fkey" FOREIGN KEY ("areaId") REFERENCES "Area"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Line" ADD CONSTRAINT "Line_shiftCalendarId_fkey" FOREIGN KEY ("shiftCalendarId") REFERENCES "ShiftCalendar"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Machine" ADD CONSTRAINT "Machine_lineId_fkey" FOREIGN KEY ("lineId") REFERENCES "Line"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Machine" ADD CONSTRAINT "Machine_lossMappingId_fkey" FOREIGN KEY ("lossMappingId") REFERENCES "LossMapping"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ShiftCalendar" ADD CONSTRAINT "ShiftCalendar_siteId_fkey" FOREIGN KEY ("siteId") REFERENCES "Site"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Shift" ADD CONSTRAINT "Shift_calendarId_fkey" FOREIGN KEY ("calendarId") REFERENCES "ShiftCalendar"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ShiftBreak" ADD CONSTRAINT "ShiftBreak_shiftId_fkey" FOREIGN KEY ("shiftId") REFERENCES "Shift"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PlannedStop" ADD CONSTRAINT "PlannedStop_siteId_fkey" FOREIGN KEY ("siteId") REFERENCES "Site"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PlannedStop" ADD CONSTRAINT "PlannedStop_lineId_fkey" FOREIGN KEY ("lineId") REFERENCES "Line"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PlannedStop" ADD CONSTRAINT "PlannedStop_machineId_fkey" FOREIGN KEY ("machineId") REFERENCES "Machine"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LossMapping" ADD CONSTRAINT "LossMapping_enterpriseId_fkey" FOREIGN KEY ("enterpriseId") REFERENCES "Enterprise"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LossMappingRule" ADD CONSTRAINT "LossMappingRule_mappingId_fkey" FOREIGN KEY ("mappingId") REFERENCES "LossMapping"("id") ON DELETE CASCADE ON UPDATE CASCADE;

