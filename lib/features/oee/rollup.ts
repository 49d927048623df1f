// Computes OEE per machine for buckets and rolls it up to line, site and enterprise, writing both to
// QuestDB. Re-running a bucket rewrites the same rows (DEDUP keys), so a job may run twice or be
// killed half-way: what it wrote is either replaced by the same numbers or never read as final.

import type pg from "pg";
import type { MachineInfo } from "#lib/adapters/db/plant.ts";
import { machineOeeRow, rollupOeeRow } from "#lib/adapters/questdb/oee-rows.ts";
import type { Row } from "#lib/adapters/questdb/rows.ts";
import type { RowWriter } from "#lib/adapters/questdb/writer.ts";
import { lineKey, siteKey } from "#lib/contract/identity.ts";
import type { Bucket, BucketPlace, Granularity } from "#lib/domain/oee/buckets.ts";
import { computeOee, rollup } from "#lib/domain/oee/compute.ts";
import { DEFAULT_MAPPING } from "#lib/domain/oee/mapping.ts";
import type { Interval, OeeResult, Plan, ReasonEdit } from "#lib/domain/oee/types.ts";
import { loadFleetEvents, type MachineEvents } from "./events.ts";

export interface RollupDeps {
  pool: pg.Pool;
  writer: RowWriter;
  machines: MachineInfo[];
  /** Downtime reasons assigned after the fact, per machine key, overlapping the range. */
  reasonEdits?: (range: Interval) => Promise<Map<string, ReasonEdit[]>>;
  now?: () => number;
  /** Concurrent QuestDB queries per load (default 2). */
  parallelism?: number;
}

export const placeOf = (m: MachineInfo): BucketPlace => ({ timeZone: m.timeZone, shifts: m.shifts });
/** The machine's planned time: its line's shift calendar, or the whole window when it has none. */
export const planOf = (m: MachineInfo): Plan => (m.shifts.length ? { kind: "calendar", timeZone: m.timeZone, shifts: m.shifts } : { kind: "window" });

export interface RollupStats {
  buckets: number;
  machineRows: number;
  rollupRows: number;
  events: { states: number; counts: number };
  ms: { load: number; compute: number; write: number };
}

/**
 * OEE of every machine for the buckets `select` gives it, plus the line, site and enterprise
 * roll-ups of each bucket. Roll-ups sum times and counts (never average ratios). Enterprise day
 * roll-ups add each site's local day of the same date (ts = that date at 00:00 UTC); shifts are not
 * rolled up past the site, since sites keep different shifts.
 */
export async function rollupBuckets(deps: RollupDeps, g: Granularity, select: (place: BucketPlace) => Bucket[]): Promise<RollupStats> {
  const t0 = performance.now();
  const computedAt = (deps.now ?? Date.now)();
  const plan = deps.machines.map((m) => ({ m, buckets: select(placeOf(m)) })).filter((p) => p.buckets.length > 0);
  const stats: RollupStats = { buckets: 0, machineRows: 0, rollupRows: 0, events: { states: 0, counts: 0 }, ms: { load: 0, compute: 0, write: 0 } };
  if (plan.length === 0) return stats;
  const all = plan.flatMap((p) => p.buckets);
  const range = { start: Math.min(...all.map((b) => b.start)), end: Math.max(...all.map((b) => b.end)) };
  const boundaries = [...new Set(all.flatMap((b) => [b.start, b.end]))];
  const thresholdMs = Math.max(...plan.map((p) => (p.m.lossMapping ?? DEFAULT_MAPPING).microStopThresholdS)) * 1000;
  const [events, edits] = await Promise.all([
    loadFleetEvents(deps.pool, {
      range,
      boundaries,
      lookbackMs: Math.max(thresholdMs, 3_600_000),
      lookaheadMs: thresholdMs,
      parallelism: deps.parallelism ?? 2,
    }),
    deps.reasonEdits ? deps.reasonEdits(range) : Promise.resolve(new Map<string, ReasonEdit[]>()),
  ]);
  const t1 = performance.now();
  for (const e of events.values()) {
    stats.events.states += e.states.length;
    stats.events.counts += e.counts.length;
  }

  const machineRows: Row[] = [];
  const groups = new Map<string, { level: string; key: string; bucket: Bucket; results: OeeResult[] }>();
  const addTo = (level: string, key: string, bucket: Bucket, r: OeeResult) => {
    const id = `${level}|${key}|${bucket.start}|${bucket.label}`;
    const grp = groups.get(id) ?? { level, key, bucket, results: [] };
    grp.results.push(r);
    groups.set(id, grp);
  };
  const empty: MachineEvents = { states: [], counts: [] };
  const seen = new Set<number>();
  for (const { m, buckets } of plan) {
    const ev = events.get(m.key) ?? empty;
    const reasonEdits = edits.get(m.key) ?? [];
    for (const b of buckets) {
      seen.add(b.start);
      const r = computeOee({
        window: { start: b.start, end: b.end },
        idealCycleTimeS: m.idealCycleTimeS,
        plan: planOf(m),
        mapping: m.lossMapping ?? DEFAULT_MAPPING,
        states: ev.states,
        counts: ev.counts,
        reasonEdits,
      });
      machineRows.push(machineOeeRow(g, m.path, b, r, computedAt));
      addTo("line", lineKey(m.path), b, r);
      addTo("site", siteKey(m.path), b, r);
      if (g === "minute" || g === "hour") addTo("enterprise", m.enterprise, b, r);
      if (g === "day") {
        const date = Date.parse(`${b.label}T00:00:00Z`);
        addTo("enterprise", m.enterprise, { start: date, end: date + 86_400_000, label: b.label }, r);
      }
    }
  }
  // an enterprise bucket is written only when every machine of the enterprise is in it: a local day
  // closes at different instants at each site, and a partial sum must never replace a whole one
  const fleet = new Map<string, number>();
  for (const m of deps.machines) fleet.set(m.enterprise, (fleet.get(m.enterprise) ?? 0) + 1);
  const complete = [...groups.values()].filter((grp) => grp.level !== "enterprise" || grp.results.length === fleet.get(grp.key));
  const rollupRows = complete.map((grp) => rollupOeeRow(g, grp.level, grp.key, grp.bucket, rollup(grp.results), computedAt));
  const t2 = performance.now();
  await deps.writer.write([...machineRows, ...rollupRows]);
  const t3 = performance.now();
  return {
    buckets: seen.size,
    machineRows: machineRows.length,
    rollupRows: rollupRows.length,
    events: stats.events,
    ms: { load: t1 - t0, compute: t2 - t1, write: t3 - t2 },
  };
}
