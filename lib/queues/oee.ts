// The OEE roll-up queue: job schedulers per granularity, a zod-checked job payload, and the handler.
// Queue keys carry a hash tag ({andon}) so every key of a queue lands in one Redis Cluster slot.
import { type ConnectionOptions, Queue, Worker } from "bullmq";
import { z } from "zod";
import { GRANULARITIES, type Granularity, type RollupDeps, rollupBuckets } from "../oee/rollup.ts";

export const OEE_QUEUE = "oee";
export const DEFAULT_PREFIX = "{andon}";

export const OeeJobData = z.object({
  granularity: z.enum(Object.keys(GRANULARITIES) as [Granularity, ...Granularity[]]),
  /** Closed buckets to (re)compute before now: late data inside this many buckets is picked up. */
  lookbackBuckets: z.number().int().min(1).max(10_000).default(3),
  /** Explicit range instead of the lookback (epoch ms), e.g. to recompute after a reason edit. */
  from: z.number().int().optional(),
  to: z.number().int().optional(),
});
export type OeeJobData = z.input<typeof OeeJobData>;

/** How often each granularity runs and how far back it recomputes. */
export const SCHEDULES: Record<Granularity, { everyMs: number; lookbackBuckets: number }> = {
  minute: { everyMs: 60_000, lookbackBuckets: 10 },
  hour: { everyMs: 5 * 60_000, lookbackBuckets: 3 },
  day: { everyMs: 60 * 60_000, lookbackBuckets: 2 },
};

/** Upserts (never duplicates) one job scheduler per granularity. */
export async function upsertOeeSchedulers(queue: Queue): Promise<void> {
  for (const [g, s] of Object.entries(SCHEDULES) as [Granularity, (typeof SCHEDULES)[Granularity]][]) {
    await queue.upsertJobScheduler(
      `oee-${g}`,
      { every: s.everyMs },
      {
        name: "rollup",
        data: { granularity: g, lookbackBuckets: s.lookbackBuckets } satisfies OeeJobData,
        opts: { attempts: 5, backoff: { type: "exponential", delay: 5000 }, removeOnComplete: 100, removeOnFail: 1000 },
      },
    );
  }
}

export function oeeQueue(connection: ConnectionOptions, prefix = DEFAULT_PREFIX): Queue {
  return new Queue(OEE_QUEUE, { connection, prefix });
}

/** The job handler: parse the payload again where it is consumed, then one call into the roll-up. */
export async function handleOeeJob(raw: unknown, deps: () => Promise<RollupDeps>, now = Date.now()) {
  const data = OeeJobData.parse(raw);
  const size = GRANULARITIES[data.granularity];
  const to = data.to ?? now;
  const from = data.from ?? Math.floor(to / size) * size - data.lookbackBuckets * size;
  return rollupBuckets(await deps(), data.granularity, from, to);
}

export function oeeWorker(connection: ConnectionOptions, deps: () => Promise<RollupDeps>, prefix = DEFAULT_PREFIX): Worker {
  return new Worker(OEE_QUEUE, (job) => handleOeeJob(job.data, deps), { connection, prefix, concurrency: 1 });
}
