-- CreateTable: the Kafka forwarder's committed position per stream
CREATE TABLE "ForwardCursor" (
    "stream" TEXT NOT NULL,
    "until" TIMESTAMPTZ(3) NOT NULL,
    "sent" BIGINT NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "ForwardCursor_pkey" PRIMARY KEY ("stream")
);
