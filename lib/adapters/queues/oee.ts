// The OEE roll-up queue. Job schedulers (upserted by id, so a restart never duplicates them):
// - "closed:<granularity>": computes the buckets that just closed;
// - "late": reads the late-telemetry marks the ingest writes and recomputes the buckets they touch.
// Jobs "recompute" (from a corrected downtime reason) recompute the buckets an interval touches.
// Every job is idempotent (DEDUP upserts of the same numbers), so BullMQ's at-least-once delivery and
// a worker killed mid-job (the job is retried after its lock expires) are safe.
// Queue keys carry a hash tag ({andon}) so every key of a queue lands in one Redis Cluster slot.
import { type ConnectionOptions, Queue, Worker } from "bullmq";
import type pg from "pg";
import { z } from "zod";
import type { PrismaClient } from "#lib/adapters/db/client.ts";
import { loadMachines } from "#lib/adapters/db/plant.ts";
import { TABLES } from "#lib/adapters/questdb/tables.ts";
import { GRANULARITIES } from "#lib/domain/oee/buckets.ts";
import { clusters, SCHEDULES, scheduledSelect, touchedSelect } from "#lib/domain/oee/plan.ts";
import { reasonEditsByPath } from "#lib/features/oee/reasons.ts";
import { placeOf, type RollupDeps, type RollupStats, rollupBuckets } from "#lib/features/oee/rollup.ts";

export const OEE_QUEUE = "oee";
export const DEFAULT_PREFIX = "{andon}";
const granularity = z.enum(GRANULARITIES);
const MINUTE = 60_000;

export const OeeJob = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("closed"), granularity }),
  z.object({ kind: z.literal("late") }),
  z.object({
    kind: z.literal("recompute"),
    /** Epoch ms intervals whose buckets (every granularity) are recomputed. */
    ranges: z.array(z.object({ from: z.number().int(), to: z.number().int() }).refine((r) => r.to > r.from, "to must be after from")).min(1),
    reason: z.string().max(200).optional(),
    /** Only this enterprise's machines (a loss-mapping change); absent: every machine. */
    enterprise: z.string().min(1).max(64).optional(),
  }),
]);
export type OeeJob = z.infer<typeof OeeJob>;

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

export interface OeeJobDeps extends RollupDeps {
  /** Where the late scan remembers how far it got (a Redis string). */
  watermark: { get(): Promise<number | undefined>; set(ms: number): Promise<void> };
  /**
   * When this worker last ran each scheduled "closed" job (in memory). A run after a gap (Redis was
   * restarted and lost its schedulers, or could not be reached) also computes every bucket that
   * closed since the last run, not only the scheduled look-back.
   */
  lastClosedRun?: Map<string, number>;
  /**
   * The intervals of the downtime-reason edits saved after `sinceMs` (PostgreSQL): the late scan
   * recomputes them too, so an edit whose recompute job was never queued (Redis away) or was lost
   * (Redis restarted empty) is still recomputed.
   */
  editedSince?: (sinceMs: number) => Promise<{ start: number; end: number }[]>;
}

/** The longest gap a scheduled run catches up on (older buckets need an explicit recompute). */
export const CATCH_UP_MAX_MS = 7 * 24 * 3_600_000;
const CATCH_UP_PIECE_MS = 6 * 3_600_000;

/**
 * A job's inputs as the OEE worker gives them: the asset model (each machine's calendar and loss
 * mapping) and the reasons assigned after the fact, read from PostgreSQL for every job, so a changed
 * mapping assignment or a corrected reason applies from the next job on.
 */
export function databaseJobDeps(prisma: PrismaClient, base: Omit<OeeJobDeps, "machines" | "reasonEdits">): () => Promise<OeeJobDeps> {
  return async () => ({
    ...base,
    machines: await loadMachines(prisma),
    reasonEdits: (range) => reasonEditsByPath(prisma, range),
    editedSince: async (sinceMs) =>
      (await prisma.reasonEdit.findMany({ where: { createdAt: { gt: new Date(sinceMs) } }, select: { start: true, end: true }, take: 10_000 })).map((e) => ({
        start: e.start.getTime(),
        end: e.end.getTime(),
      })),
  });
}

export type OeeJobResult = { kind: string; runs: number; buckets: number; rows: number; touched?: number };

function sum(kind: string, stats: RollupStats[], touched?: number): OeeJobResult {
  return {
    kind,
    runs: stats.length,
    buckets: stats.reduce((a, s) => a + s.buckets, 0),
    rows: stats.reduce((a, s) => a + s.machineRows + s.rollupRows, 0),
    ...(touched !== undefined ? { touched } : {}),
  };
}

/** Recomputes, for every granularity, the closed buckets the intervals touch (clustered). */
export async function recomputeTouched(deps: RollupDeps, touched: { start: number; end: number }[], now: number): Promise<RollupStats[]> {
  const places = deps.machines.map(placeOf);
  const out: RollupStats[] = [];
  for (const cluster of clusters(touched)) {
    for (const g of GRANULARITIES) out.push(await rollupBuckets(deps, g, touchedSelect(g, places, cluster, now)));
  }
  return out;
}

/** Late marks of these enterprises' machines received since `sinceMs`. */
async function lateMinutes(pool: pg.Pool, enterprises: string[], sinceMs: number): Promise<{ start: number; end: number }[]> {
  if (enterprises.length === 0) return [];
  const list = enterprises.map((_e, i) => `$${i + 2}`).join(", ");
  const r = await pool.query<{ ts: Date }>(`SELECT DISTINCT ts FROM ${TABLES.oeeLate} WHERE received_at > $1 AND enterprise IN (${list})`, [
    new Date(sinceMs).toISOString(),
    ...enterprises,
  ]);
  return r.rows.map((x) => ({ start: x.ts.getTime(), end: x.ts.getTime() + MINUTE }));
}

/** The job handler: parse the payload again where it is consumed, then plan and compute. */
export async function handleOeeJob(raw: unknown, deps: () => Promise<OeeJobDeps>, now = Date.now()): Promise<OeeJobResult> {
  const job = OeeJob.parse(raw);
  const d = await deps();
  switch (job.kind) {
    case "closed": {
      const g = job.granularity;
      const places = d.machines.map(placeOf);
      const last = d.lastClosedRun?.get(g);
      const stats = [await rollupBuckets(d, g, scheduledSelect(g, places, now))];
      if (last !== undefined && now - last > 2 * SCHEDULES[g].everyMs) {
        // a gap: the buckets that closed since the last run's look-back, beyond this run's
        // in pieces of 6 hours, so one load never reads days of data
        const end = now - SCHEDULES[g].closedWithinMs;
        for (let t = Math.max(last - SCHEDULES[g].closedWithinMs, now - CATCH_UP_MAX_MS); t < end; t += CATCH_UP_PIECE_MS) {
          stats.push(await rollupBuckets(d, g, touchedSelect(g, places, [{ start: t, end: Math.min(end, t + CATCH_UP_PIECE_MS) }], now)));
        }
      }
      d.lastClosedRun?.set(g, Math.max(now, last ?? now));
      return sum(job.kind, stats);
    }
    case "recompute": {
      const touched = job.ranges.map((r) => ({ start: r.from, end: r.to }));
      // a whole enterprise at once, so its line, site and enterprise roll-ups stay complete
      const scope = job.enterprise ? { ...d, machines: d.machines.filter((m) => m.enterprise === job.enterprise) } : d;
      return sum(job.kind, await recomputeTouched(scope, touched, now), touched.length);
    }
    case "late": {
      const since = (await d.watermark.get()) ?? now - 10 * MINUTE;
      // 2 minutes of overlap: a mark written just before the last scan may have become visible after it
      const touched = [
        ...(await lateMinutes(d.pool, [...new Set(d.machines.map((m) => m.enterprise))], since - 2 * MINUTE)),
        ...((await d.editedSince?.(since - 2 * MINUTE)) ?? []),
      ];
      const stats = touched.length ? await recomputeTouched(d, touched, now) : [];
      await d.watermark.set(now);
      return sum(job.kind, stats, touched.length);
    }
  }
}

export function oeeWorker(connection: ConnectionOptions, deps: () => Promise<OeeJobDeps>, prefix = DEFAULT_PREFIX, lockDuration = 30_000): Worker {
  // The stalled-job check runs as often as a lock lasts, so a killed worker's job is retried within ~2 locks.
  // Jobs are idempotent (DEDUP upserts), so a job may stall (a killed worker, or a lock renewal late on a
  // loaded machine) up to 3 times before it fails; BullMQ's default of 1 failed the crash test under load.
  return new Worker(OEE_QUEUE, (job) => handleOeeJob(job.data, deps), {
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
