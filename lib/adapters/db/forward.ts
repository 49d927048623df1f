// The Kafka forwarder in PostgreSQL: its committed position per stream (table ForwardCursor), and
// the alert and command rows it forwards, read by the time they were stored or changed.
import type { PrismaClient } from "./client.ts";

export interface ForwardCursorStore {
  get(stream: string): Promise<number | undefined>;
  /** after Kafka acknowledged every record up to `untilMs`: moves the position forward only */
  commit(stream: string, untilMs: number, sent: number): Promise<void>;
}

export function forwardCursorStore(prisma: PrismaClient): ForwardCursorStore {
  return {
    async get(stream) {
      return (await prisma.forwardCursor.findUnique({ where: { stream } }))?.until.getTime();
    },
    async commit(stream, untilMs, sent) {
      const until = new Date(untilMs);
      await prisma.$transaction([
        prisma.forwardCursor.createMany({ data: [{ stream, until: new Date(0) }], skipDuplicates: true }),
        prisma.forwardCursor.updateMany({ where: { stream, until: { lt: until } }, data: { until, sent: { increment: sent } } }),
      ]);
    },
  };
}

export async function forwardCursors(prisma: PrismaClient): Promise<{ stream: string; until: Date; sent: bigint }[]> {
  return prisma.forwardCursor.findMany({ select: { stream: true, until: true, sent: true } });
}

/** Alerts changed in (fromMs, toMs] (updatedAt), oldest change first. */
export async function alertsChangedIn(prisma: PrismaClient, fromMs: number, toMs: number, limit: number) {
  return prisma.alert.findMany({
    where: { updatedAt: { gt: new Date(fromMs), lte: new Date(toMs) } },
    orderBy: [{ updatedAt: "asc" }, { id: "asc" }],
    take: limit,
    omit: { machineId: true },
  });
}

/** Command status changes recorded in (fromMs, toMs] (at), oldest first, with their command. */
export async function commandEventsIn(prisma: PrismaClient, fromMs: number, toMs: number, limit: number) {
  return prisma.commandEvent.findMany({
    where: { at: { gt: new Date(fromMs), lte: new Date(toMs) } },
    orderBy: [{ at: "asc" }, { id: "asc" }],
    take: limit,
    include: { command: { select: { machineKey: true, siteKey: true, type: true, params: true, requestedBy: true, origin: true, alertId: true } } },
  });
}
