-- CreateTable: where each Sparkplug B metric goes (group / edge node / device / metric -> machine,
-- channel, field), set by admins; read by the ingest worker that is the Sparkplug host application.
CREATE TABLE "SparkplugMapping" (
    "group" TEXT NOT NULL,
    "edgeNode" TEXT NOT NULL,
    "device" TEXT NOT NULL DEFAULT '',
    "metric" TEXT NOT NULL,
    "machineKey" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "field" TEXT NOT NULL DEFAULT '',
    "updatedBy" TEXT NOT NULL,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SparkplugMapping_pkey" PRIMARY KEY ("group","edgeNode","device","metric")
);

CREATE INDEX "SparkplugMapping_machineKey_idx" ON "SparkplugMapping"("machineKey");
