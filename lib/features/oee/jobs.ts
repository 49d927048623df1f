// What each OEE roll-up job does (the queue and its schedulers: lib/adapters/queues/oee.ts):
// - "closed": the buckets of one granularity that closed since the cursor (how far the last runs got),
//   oldest first, and again the last few minutes' (data up to a minute late);
// - "late": the buckets that late telemetry (marks written by the ingest) or a reason edit touched;
// - "recompute": the buckets the given intervals touch (a reason edit, a loss-mapping change).
import type { ConnectionOptions, Worker } from "bullmq";
import type { PrismaClient } from "#lib/adapters/db/client.ts";
import type { OeeCursorStore } from "#lib/adapters/db/oee-cursor.ts";
import { reasonEditsByPath, reasonEditsSavedSince } from "#lib/adapters/db/oee-reasons.ts";
import { loadMachines } from "#lib/adapters/db/plant.ts";
import { lateMarksSince } from "#lib/adapters/questdb/oee-late.ts";
import { oeeQueueWorker } from "#lib/adapters/queues/oee.ts";
import type { MachinePath } from "#lib/contract/identity.ts";
import { DEFAULT_PREFIX, OeeJob, type OeeJobResult } from "#lib/contract/jobs/oee.ts";
import { GRANULARITIES, type Granularity } from "#lib/domain/oee/buckets.ts";
import { lateScanFrom, markedMinute } from "#lib/domain/oee/late.ts";
import { CATCH_UP, closedHorizon, closedRunPieces, closedSelect, clusters, pieces, touchedSelect } from "#lib/domain/oee/plan.ts";
import type { Interval } from "#lib/domain/oee/types.ts";
import { reachOfTouches, type Touch } from "./reach.ts";
import { placeOf, type RollupDeps, type RollupStats, rollupBuckets } from "./rollup.ts";

export interface OeeJobDeps extends RollupDeps {
  /** Where the late scan remembers how far it got (a Redis string). */
  watermark: { get(): Promise<number | undefined>; set(ms: number): Promise<void> };
  /**
   * How far the scheduled "closed" runs got, per granularity (PostgreSQL: lib/adapters/db/oee-cursor.ts).
   * A run computes every bucket that closed after it, oldest first, so a worker that was down for
   * hours or days (a deploy, Redis lost its schedulers) leaves no hole. Absent: the look-back only.
   */
  cursor?: OeeCursorStore;
  /** A catch-up run starts no new piece after this long (default CATCH_UP.budgetMs). */
  catchUpBudgetMs?: number;
  /** Told after each piece of a "closed" run is written (the worker's metrics). */
  onProgress?: (granularity: Granularity, computedUntilMs: number) => void;
  /**
   * The intervals of the downtime-reason edits saved after `sinceMs` (PostgreSQL): the late scan
   * recomputes them too, so an edit whose recompute job was never queued (Redis away) or was lost
   * (Redis restarted empty) is still recomputed.
   */
  editedSince?: (sinceMs: number) => Promise<(Interval & { machine: MachinePath })[]>;
}

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

/** Refused rows a job's result lists (all are counted, logged and dead-lettered). */
const REFUSED_LISTED = 20;

function sum(kind: string, stats: RollupStats[], touched?: number): OeeJobResult {
  const refused = stats.flatMap((s) => s.refused);
  return {
    kind,
    runs: stats.length,
    buckets: stats.reduce((a, s) => a + s.buckets, 0),
    rows: stats.reduce((a, s) => a + s.machineRows + s.rollupRows, 0),
    ms: {
      load: Math.round(stats.reduce((a, s) => a + s.ms.load, 0)),
      compute: Math.round(stats.reduce((a, s) => a + s.ms.compute, 0)),
      write: Math.round(stats.reduce((a, s) => a + s.ms.write, 0)),
    },
    ...(touched !== undefined ? { touched } : {}),
    sources: {
      minutes: stats.reduce((a, s) => a + s.sources.minutes, 0),
      raw: stats.reduce((a, s) => a + s.sources.raw, 0),
      why: stats.reduce<Record<string, number>>((a, s) => {
        for (const [k, v] of Object.entries(s.sources.why)) a[k] = (a[k] ?? 0) + (v ?? 0);
        return a;
      }, {}),
    },
    ...(refused.length ? { refused: { count: refused.length, rows: refused.slice(0, REFUSED_LISTED) } } : {}),
  };
}

/**
 * Recomputes, for every granularity, the closed buckets the intervals touch (cut into pieces of at
 * most 6 h, clustered): minutes first, on the raw events, then the hours, shifts and days they fall
 * in, summed from the minutes just written. Late events and reason edits reach further than their
 * own interval: callers pass the spans from `reachOfTouches`.
 */
export async function recomputeTouched(deps: RollupDeps, touched: Interval[], now: number): Promise<RollupStats[]> {
  const places = deps.machines.map(placeOf);
  const out: RollupStats[] = [];
  for (const cluster of clusters(pieces(touched))) {
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
      const stats: RollupStats[] = [];
      const started = performance.now();
      const horizon = closedHorizon(g, now, g === "minute" ? undefined : await d.cursor?.get("minute"));
      let until = horizon;
      for (const piece of closedRunPieces(g, await d.cursor?.get(g), horizon)) {
        // past the budget: the rest (newer) is the next run's, so the other granularities get their turn
        if (stats.length > 0 && performance.now() - started > (d.catchUpBudgetMs ?? CATCH_UP.budgetMs)) break;
        stats.push(await rollupBuckets(d, g, closedSelect(g, places, piece.start, piece.end)));
        await d.cursor?.advance(g, piece.end);
        d.onProgress?.(g, piece.end);
        until = piece.end;
      }
      return { ...sum(job.kind, stats), computedUntil: new Date(until).toISOString() };
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
      const touches: Touch[] = [
        ...marks.map((m) => ({ ...markedMinute(m.ts), machine: m.machine, kind: "late" as const })),
        ...((await d.editedSince?.(from)) ?? []).map((e) => ({ ...e, kind: "edit" as const })),
      ];
      const spans = touches.length ? await reachOfTouches(d.pool, d.machines, touches, now, d.parallelism) : [];
      const stats = spans.length ? await recomputeTouched(d, spans, now) : [];
      await d.watermark.set(now);
      return sum(job.kind, stats, touches.length);
    }
  }
}

/** The OEE worker: runs each job of the queue with the inputs `deps` gives for it. */
export function oeeWorker(connection: ConnectionOptions, deps: () => Promise<OeeJobDeps>, prefix = DEFAULT_PREFIX, lockDuration = 30_000): Worker {
  return oeeQueueWorker(connection, (data) => handleOeeJob(data, deps), prefix, lockDuration);
}
