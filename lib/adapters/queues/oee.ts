// The OEE roll-up queue in BullMQ. Job schedulers (upserted by id, so a restart never duplicates them):
// - "closed:<granularity>": computes the buckets that just closed;
// - "late": reads the late-telemetry marks the ingest writes and recomputes the buckets they touch.
// Jobs "recompute" (from a corrected downtime reason) recompute the buckets an interval touches.
// What each job does is lib/features/oee/jobs.ts. Every job is idempotent (DEDUP upserts of the same
// numbers), so BullMQ's at-least-once delivery and a worker killed mid-job (the job is retried after
// its lock expires) are safe.
import { type ConnectionOptions, Queue, Worker } from "bullmq";
import { DEFAULT_PREFIX, OEE_QUEUE, OeeJob, type OeeJobResult } from "#lib/contract/jobs/oee.ts";
import { GRANULARITIES } from "#lib/domain/oee/buckets.ts";
import { SCHEDULES } from "#lib/domain/oee/plan.ts";

const MINUTE = 60_000;

const JOB_OPTS = { attempts: 5, backoff: { type: "exponential", delay: 5000 }, removeOnComplete: 200, removeOnFail: 1000 } as const;

/** Upserts (never duplicates) the schedulers: one per granularity, one for late data. */
export async function upsertOeeSchedulers(queue: Queue): Promise<void> {
  for (const g of GRANULARITIES) {
    await queue.upsertJobScheduler(
      `oee-closed-${g}`,
      { every: SCHEDULES[g].everyMs },
      { name: `closed-${g}`, data: { kind: "closed", granularity: g }, opts: JOB_OPTS },
    );
  }
  await queue.upsertJobScheduler("oee-late", { every: MINUTE }, { name: "late", data: { kind: "late" }, opts: JOB_OPTS });
}

export function oeeQueue(connection: ConnectionOptions, prefix = DEFAULT_PREFIX): Queue {
  return new Queue(OEE_QUEUE, { connection, prefix });
}

/** Queues a recompute of every bucket the intervals touch (after a reason edit, for example). */
export async function enqueueRecompute(queue: Queue, ranges: { from: number; to: number }[], reason?: string, enterprise?: string) {
  const data: OeeJob = OeeJob.parse({ kind: "recompute", ranges, ...(reason ? { reason } : {}), ...(enterprise ? { enterprise } : {}) });
  return queue.add("recompute", data, JOB_OPTS);
}

/** The BullMQ worker of the queue; `run` does the job (its payload as it came from Redis). */
export function oeeQueueWorker(
  connection: ConnectionOptions,
  run: (data: unknown) => Promise<OeeJobResult>,
  prefix = DEFAULT_PREFIX,
  lockDuration = 30_000,
): Worker {
  // The stalled-job check runs as often as a lock lasts, so a killed worker's job is retried within ~2 locks.
  // Jobs are idempotent (DEDUP upserts), so a job may stall (a killed worker, or a lock renewal late on a
  // loaded machine) up to 3 times before it fails; BullMQ's default of 1 failed the crash test under load.
  return new Worker(OEE_QUEUE, (job) => run(job.data), {
    connection,
    prefix,
    concurrency: 1,
    lockDuration,
    stalledInterval: lockDuration,
    maxStalledCount: 3,
  });
}

/**
 * The late scan's watermark, kept in Redis under the queue prefix, and remembered by this process: a
 * Redis restarted without persistence has forgotten it, and the scan must go on from where it got to,
 * not from the default ten minutes back (late data that arrived meanwhile would never be recomputed).
 */
export function redisWatermark(redis: { get(k: string): Promise<string | null>; set(k: string, v: string): Promise<unknown> }, prefix = DEFAULT_PREFIX) {
  const key = `${prefix}:oee:late-watermark`;
  let remembered: number | undefined;
  return {
    get: async () => {
      const v = await redis.get(key);
      const stored = v === null ? undefined : Number(v);
      if (stored === undefined || !Number.isFinite(stored)) return remembered;
      return remembered === undefined ? stored : Math.min(stored, remembered);
    },
    set: async (ms: number) => {
      await redis.set(key, String(ms));
      remembered = ms;
    },
  };
}

/**
 * Keeps the schedulers in Redis: upserted again each time the connection is (re)established. Redis
 * restarted without persistence comes back empty, and no closed bucket would be computed again until
 * the worker restarted. Upserting is idempotent (by scheduler id).
 */
export function keepOeeSchedulers(queue: Queue, connection: { on(event: "ready", f: () => void): unknown }, onError: (e: Error) => void): Promise<void> {
  connection.on("ready", () => void upsertOeeSchedulers(queue).catch(onError));
  return upsertOeeSchedulers(queue);
}
