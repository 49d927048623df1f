// The OEE roll-up cursor (table OeeCursor): per queue and granularity, the instant up to which every
// closed bucket was computed. Kept in PostgreSQL, not Redis: it must outlive a Redis restarted
// empty, which is exactly when the schedulers (and with them the catch-up) are lost for a while.
import type { PrismaClient } from "./client.ts";

export interface OeeCursorStore {
  get(granularity: string): Promise<number | undefined>;
  /** moves the cursor forward only: two workers finishing out of order never move it back */
  advance(granularity: string, untilMs: number): Promise<void>;
}

export function oeeCursorStore(prisma: PrismaClient, queue: string): OeeCursorStore {
  return {
    async get(granularity) {
      const row = await prisma.oeeCursor.findUnique({ where: { queue_granularity: { queue, granularity } } });
      return row?.computedUntil.getTime();
    },
    async advance(granularity, untilMs) {
      const until = new Date(untilMs);
      await prisma.$transaction([
        prisma.oeeCursor.createMany({ data: [{ queue, granularity, computedUntil: until }], skipDuplicates: true }),
        prisma.oeeCursor.updateMany({ where: { queue, granularity, computedUntil: { lt: until } }, data: { computedUntil: until } }),
      ]);
    },
  };
}

/** Every cursor of a queue, for the ingest page and the worker's metrics. */
export async function oeeCursors(prisma: PrismaClient, queue: string): Promise<{ granularity: string; computedUntil: Date; updatedAt: Date }[]> {
  return prisma.oeeCursor.findMany({ where: { queue }, select: { granularity: true, computedUntil: true, updatedAt: true } });
}

/**
 * Sets every granularity's cursor of a queue to `ms`, also backwards: the scheduled runs then
 * compute every bucket closed since (a history filled into an empty stack).
 */
export async function resetOeeCursors(prisma: PrismaClient, queue: string, granularities: readonly string[], ms: number): Promise<void> {
  const computedUntil = new Date(ms);
  for (const granularity of granularities) {
    await prisma.oeeCursor.upsert({
      where: { queue_granularity: { queue, granularity } },
      create: { queue, granularity, computedUntil },
      update: { computedUntil },
    });
  }
}
