-- CreateTable: the OEE roll-up cursor (how far the scheduled jobs got, per queue and granularity)
CREATE TABLE "OeeCursor" (
    "queue" TEXT NOT NULL,
    "granularity" TEXT NOT NULL,
    "computedUntil" TIMESTAMPTZ(3) NOT NULL,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "OeeCursor_pkey" PRIMARY KEY ("queue","granularity")
);
