// Computes OEE per machine for buckets and rolls it up to line, site and enterprise, writing both to
// QuestDB. Re-running a bucket rewrites the same rows (DEDUP keys), so a job may run twice or be
// killed half-way: what it wrote is either replaced by the same numbers or never read as final.
//
// Minute buckets are computed on the raw events. Hour, shift and day buckets are sums of the machine's
// minute rows (one grouped aggregate in QuestDB) wherever those are known to give the same numbers as
// the raw events (lib/domain/oee/minute-sums.ts); every other machine and bucket is computed on the
// raw events, so a missing, stale or unsettled minute never makes a bucket smaller.

import type pg from "pg";
import type { MachineInfo } from "#lib/adapters/db/plant.ts";
import { minuteSums } from "#lib/adapters/questdb/oee-minutes.ts";
import { machineOeeRow, rollupOeeRow } from "#lib/adapters/questdb/oee-rows.ts";
import { waitWalApplied } from "#lib/adapters/questdb/pg.ts";
import type { Row } from "#lib/adapters/questdb/rows.ts";
import { TABLES } from "#lib/adapters/questdb/tables.ts";
import { lineKey, type MachineKey, siteKey } from "#lib/contract/identity.ts";
import type { RefusedOeeRow } from "#lib/contract/jobs/oee.ts";
import type { Bucket, BucketPlace, Granularity } from "#lib/domain/oee/buckets.ts";
import { rollup } from "#lib/domain/oee/compute.ts";
import { DEFAULT_MAPPING, versionLabel } from "#lib/domain/oee/mapping.ts";
import { type MinuteSum, minuteSumUsable, resultFromMinutes, settleMs, type Unusable } from "#lib/domain/oee/minute-sums.ts";
import type { Interval, OeeResult, Plan, ReasonEdit } from "#lib/domain/oee/types.ts";
import { computeWindows } from "#lib/domain/oee/windows.ts";
import { type FleetQuery, loadFleetEvents, type MachineEvents } from "./events.ts";
import { type RefusedRowsDeps, writeOeeRows } from "./refused.ts";

export interface RollupDeps extends RefusedRowsDeps {
  pool: pg.Pool;
  machines: MachineInfo[];
  /** Downtime reasons assigned after the fact, per machine key, overlapping the range. */
  reasonEdits?: (range: Interval) => Promise<Map<string, ReasonEdit[]>>;
  now?: () => number;
  /** Concurrent QuestDB queries per load (default 2). */
  parallelism?: number;
}

export interface RollupOptions {
  /**
   * Where hour, shift and day buckets come from: "minutes" (default: the minute rows where they are
   * exact, the raw events elsewhere) or "raw" (the raw events only). Minute buckets: always raw.
   */
  source?: "minutes" | "raw";
  /** Write the rows (default true); false: compute only (comparisons, benches). */
  write?: boolean;
  /** Given every machine's results, by machine key and bucket start. */
  onResults?: (results: Map<MachineKey, Map<number, OeeResult>>) => void;
}

export const placeOf = (m: MachineInfo): BucketPlace => ({ timeZone: m.timeZone, shifts: m.shifts });
/** The machine's planned time: its line's shift calendar, or the whole window when it has none. */
export const planOf = (m: MachineInfo): Plan => (m.shifts.length ? { kind: "calendar", timeZone: m.timeZone, shifts: m.shifts } : { kind: "window" });
const mappingOf = (m: MachineInfo) => m.lossMapping ?? DEFAULT_MAPPING;

export interface RollupStats {
  buckets: number;
  machineRows: number;
  rollupRows: number;
  events: { states: number; counts: number };
  /** Machine buckets summed from minute rows, and computed on raw events (with why, for hour/shift/day). */
  sources: { minutes: number; raw: number; why: Partial<Record<Unusable, number>> };
  ms: { load: number; compute: number; write: number };
  /** Rows QuestDB refused for good (dead-lettered; every other row was written): refused.ts. */
  refused: RefusedOeeRow[];
}

interface Planned {
  m: MachineInfo;
  buckets: Bucket[];
  results: (OeeResult | undefined)[];
}

/**
 * OEE of every machine for the buckets `select` gives it, plus the line, site and enterprise
 * roll-ups of each bucket. Roll-ups sum times and counts (never average ratios). Enterprise day
 * roll-ups add each site's local day of the same date (ts = that date at 00:00 UTC); shifts are not
 * rolled up past the site, since sites keep different shifts.
 */
export async function rollupBuckets(
  deps: RollupDeps,
  g: Granularity,
  select: (place: BucketPlace) => Bucket[],
  opts: RollupOptions = {},
): Promise<RollupStats> {
  const computedAt = (deps.now ?? Date.now)();
  const plan: Planned[] = deps.machines
    .map((m) => ({ m, buckets: select(placeOf(m)) }))
    .filter((p) => p.buckets.length > 0)
    .map((p) => ({ ...p, results: p.buckets.map(() => undefined) }));
  const stats: RollupStats = {
    buckets: 0,
    machineRows: 0,
    rollupRows: 0,
    events: { states: 0, counts: 0 },
    sources: { minutes: 0, raw: 0, why: {} },
    ms: { load: 0, compute: 0, write: 0 },
    refused: [],
  };
  if (plan.length === 0) return stats;

  if (g !== "minute" && opts.source !== "raw") await fromMinutes(deps, plan, stats);
  const rest = plan
    .map((p) => ({ p, idx: p.buckets.flatMap((_b, j) => (p.results[j] ? [] : [j])) }))
    .filter((x) => x.idx.length > 0)
    .map((x) => ({ ...x, planned: { m: x.p.m, buckets: x.idx.map((j) => x.p.buckets[j] as Bucket) } }));
  if (rest.length) {
    const computed = await fromRawEvents(
      deps,
      rest.map((x) => x.planned),
      stats,
    );
    rest.forEach((x, i) => {
      x.idx.forEach((j, k) => {
        x.p.results[j] = computed[i]?.[k];
      });
      stats.sources.raw += x.idx.length;
    });
  }

  const t2 = performance.now();
  const machineRows: Row[] = [];
  const groups = new Map<string, { level: string; key: string; bucket: Bucket; results: OeeResult[] }>();
  const addTo = (level: string, key: string, bucket: Bucket, r: OeeResult) => {
    const id = `${level}|${key}|${bucket.start}|${bucket.label}`;
    const grp = groups.get(id) ?? { level, key, bucket, results: [] };
    grp.results.push(r);
    groups.set(id, grp);
  };
  const seen = new Set<number>();
  const byMachine = new Map<MachineKey, Map<number, OeeResult>>();
  for (const { m, buckets, results } of plan) {
    const mine = new Map<number, OeeResult>();
    byMachine.set(m.key, mine);
    buckets.forEach((b, j) => {
      const r = results[j] as OeeResult;
      mine.set(b.start, r);
      seen.add(b.start);
      machineRows.push(machineOeeRow(g, m.path, b, r, computedAt, m.idealCycleTimeS));
      addTo("line", lineKey(m.path), b, r);
      addTo("site", siteKey(m.path), b, r);
      if (g === "minute" || g === "hour") addTo("enterprise", m.enterprise, b, r);
      if (g === "day") {
        const date = Date.parse(`${b.label}T00:00:00Z`);
        addTo("enterprise", m.enterprise, { start: date, end: date + 86_400_000, label: b.label }, r);
      }
    });
  }
  // an enterprise bucket is written only when every machine of the enterprise is in it: a local day
  // closes at different instants at each site, and a partial sum must never replace a whole one
  const fleet = new Map<string, number>();
  for (const m of deps.machines) fleet.set(m.enterprise, (fleet.get(m.enterprise) ?? 0) + 1);
  const complete = [...groups.values()].filter((grp) => grp.level !== "enterprise" || grp.results.length === fleet.get(grp.key));
  const rollupRows = complete.map((grp) => rollupOeeRow(g, grp.level, grp.key, grp.bucket, rollup(grp.results), computedAt));
  const t3 = performance.now();
  stats.ms.compute += t3 - t2;
  opts.onResults?.(byMachine);
  if (opts.write !== false) stats.refused = await writeOeeRows(deps, [...machineRows, ...rollupRows], (deps.now ?? Date.now)());
  stats.ms.write = performance.now() - t3;
  return { ...stats, buckets: seen.size, machineRows: machineRows.length, rollupRows: rollupRows.length };
}

/** Fills in the results the minute rows give exactly; counts the others by reason. */
async function fromMinutes(deps: RollupDeps, plan: Planned[], stats: RollupStats): Promise<void> {
  const t0 = performance.now();
  // rows a job of this worker wrote just before (a recompute: minutes first) must be visible
  await waitWalApplied(deps.pool, [TABLES.oeeMachine]);
  const intervals = new Map<string, Interval>();
  for (const p of plan) for (const b of p.buckets) intervals.set(`${b.start}-${b.end}`, { start: b.start, end: b.end });
  const settleS = Math.max(...plan.map((p) => settleMs(mappingOf(p.m).microStopThresholdS))) / 1000;
  const sums = new Map<string, Map<MachineKey, MinuteSum>>();
  const todo = [...intervals.entries()];
  const workers = Array.from({ length: Math.max(1, deps.parallelism ?? 2) }, async () => {
    for (let next = todo.shift(); next; next = todo.shift()) sums.set(next[0], await minuteSums(deps.pool, next[1], settleS));
  });
  await Promise.all(workers);
  const t1 = performance.now();
  for (const p of plan) {
    const version = versionLabel(mappingOf(p.m));
    p.buckets.forEach((b, j) => {
      const s = sums.get(`${b.start}-${b.end}`)?.get(p.m.key);
      const why = minuteSumUsable(s, b, version, p.m.idealCycleTimeS);
      if (why === null && s) {
        p.results[j] = resultFromMinutes(s, version, p.m.idealCycleTimeS);
        stats.sources.minutes++;
      } else if (why) stats.sources.why[why] = (stats.sources.why[why] ?? 0) + 1;
    });
  }
  stats.ms.load += t1 - t0;
  stats.ms.compute += performance.now() - t1;
}

/** Each machine's buckets computed by the OEE core on the raw events (read reduced, see events.ts). */
async function fromRawEvents(deps: RollupDeps, plan: { m: MachineInfo; buckets: Bucket[] }[], stats: RollupStats): Promise<OeeResult[][]> {
  const t0 = performance.now();
  const all = plan.flatMap((p) => p.buckets);
  const range = { start: Math.min(...all.map((b) => b.start)), end: Math.max(...all.map((b) => b.end)) };
  const boundaries = [...new Set(all.flatMap((b) => [b.start, b.end]))];
  const thresholdMs = Math.max(...plan.map((p) => mappingOf(p.m).microStopThresholdS)) * 1000;
  const query = {
    range,
    boundaries,
    lookbackMs: Math.max(thresholdMs, 3_600_000),
    lookaheadMs: thresholdMs,
    parallelism: deps.parallelism ?? 2,
    rejectRises: plan.some((p) => (mappingOf(p.m).startupWindowS ?? 0) > 0),
  };
  const [events, edits] = await Promise.all([
    // a few machines whose minutes are not usable (a new machine, a changed mapping): only theirs
    plan.length <= FEW && plan.length < deps.machines.length ? loadEach(deps, plan, query) : loadFleetEvents(deps.pool, query),
    deps.reasonEdits ? deps.reasonEdits(range) : Promise.resolve(new Map<string, ReasonEdit[]>()),
  ]);
  const t1 = performance.now();
  for (const e of events.values()) {
    stats.events.states += e.states.length;
    stats.events.counts += e.counts.length;
  }
  const empty: MachineEvents = { states: [], counts: [] };
  const out = plan.map(({ m, buckets }) => {
    const ev = events.get(m.key) ?? empty;
    return computeWindows(
      { idealCycleTimeS: m.idealCycleTimeS, plan: planOf(m), mapping: mappingOf(m), states: ev.states, counts: ev.counts, reasonEdits: edits.get(m.key) ?? [] },
      buckets,
    );
  });
  stats.ms.load += t1 - t0;
  stats.ms.compute += performance.now() - t1;
  return out;
}

/** Up to this many machines are read one by one rather than the whole fleet at once. */
const FEW = 8;

async function loadEach(deps: RollupDeps, plan: { m: MachineInfo }[], q: Omit<FleetQuery, "only">): Promise<Map<string, MachineEvents>> {
  const out = new Map<string, MachineEvents>();
  const todo = plan.map((p) => p.m);
  const workers = Array.from({ length: Math.max(1, deps.parallelism ?? 2) }, async () => {
    for (let m = todo.shift(); m; m = todo.shift()) {
      const one = await loadFleetEvents(deps.pool, { ...q, parallelism: 1, only: m.path });
      const ev = one.get(m.key);
      if (ev) out.set(m.key, ev);
    }
  });
  await Promise.all(workers);
  return out;
}
