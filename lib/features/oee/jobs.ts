// What each OEE roll-up job does (the queue and its schedulers: lib/adapters/queues/oee.ts):
// - "closed": the buckets of one granularity that just closed, and after a gap everything that
//   closed since the last run;
// - "late": the buckets that late telemetry (marks written by the ingest) or a reason edit touched;
// - "recompute": the buckets the given intervals touch (a reason edit, a loss-mapping change).
import type { ConnectionOptions, Worker } from "bullmq";
import type { PrismaClient } from "#lib/adapters/db/client.ts";
import { reasonEditsByPath, reasonEditsSavedSince } from "#lib/adapters/db/oee-reasons.ts";
import { loadMachines } from "#lib/adapters/db/plant.ts";
import { lateMarksSince } from "#lib/adapters/questdb/oee-late.ts";
import { oeeQueueWorker } from "#lib/adapters/queues/oee.ts";
import { DEFAULT_PREFIX, OeeJob, type OeeJobResult } from "#lib/contract/jobs/oee.ts";
import { GRANULARITIES } from "#lib/domain/oee/buckets.ts";
import { lateScanFrom, markedMinute } from "#lib/domain/oee/late.ts";
import { clusters, SCHEDULES, scheduledSelect, touchedSelect } from "#lib/domain/oee/plan.ts";
import type { Interval } from "#lib/domain/oee/types.ts";
import { placeOf, type RollupDeps, type RollupStats, rollupBuckets } from "./rollup.ts";

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
  editedSince?: (sinceMs: number) => Promise<Interval[]>;
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
    editedSince: (sinceMs) => reasonEditsSavedSince(prisma, sinceMs),
  });
}

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
export async function recomputeTouched(deps: RollupDeps, touched: Interval[], now: number): Promise<RollupStats[]> {
  const places = deps.machines.map(placeOf);
  const out: RollupStats[] = [];
  for (const cluster of clusters(touched)) {
    for (const g of GRANULARITIES) out.push(await rollupBuckets(deps, g, touchedSelect(g, places, cluster, now)));
  }
  return out;
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
      const from = lateScanFrom(await d.watermark.get(), now);
      const marks = await lateMarksSince(d.pool, [...new Set(d.machines.map((m) => m.enterprise))], from);
      const touched = [...marks.map(markedMinute), ...((await d.editedSince?.(from)) ?? [])];
      const stats = touched.length ? await recomputeTouched(d, touched, now) : [];
      await d.watermark.set(now);
      return sum(job.kind, stats, touched.length);
    }
  }
}

/** The OEE worker: runs each job of the queue with the inputs `deps` gives for it. */
export function oeeWorker(connection: ConnectionOptions, deps: () => Promise<OeeJobDeps>, prefix = DEFAULT_PREFIX, lockDuration = 30_000): Worker {
  return oeeQueueWorker(connection, (data) => handleOeeJob(data, deps), prefix, lockDuration);
}
