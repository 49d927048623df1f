// Computes OEE per machine for closed buckets and rolls it up to line, site and enterprise, writing
// both to QuestDB. Re-running a bucket rewrites the same rows (DEDUP keys), so jobs may repeat.
import type pg from "pg";
import type { MachineInfo } from "../db/plant.ts";
import { computeOee, rollup } from "../domain/oee/compute.ts";
import { DEFAULT_MAPPING } from "../domain/oee/mapping.ts";
import type { OeeResult } from "../domain/oee/types.ts";
import type { Field, Row } from "../questdb/rows.ts";
import { TABLES } from "../questdb/tables.ts";
import type { RowWriter } from "../questdb/writer.ts";
import { loadMachineEvents } from "./events.ts";

export const GRANULARITIES = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;
export type Granularity = keyof typeof GRANULARITIES;

/** Bucket starts of the closed buckets in [from, to), aligned to UTC. */
export function closedBuckets(g: Granularity, from: number, to: number): number[] {
  const size = GRANULARITIES[g];
  const out: number[] = [];
  for (let t = Math.ceil(from / size) * size; t + size <= to; t += size) out.push(t);
  return out;
}

function oeeFields(r: OeeResult, computedAtMs: number): Field[] {
  const e = r.elements;
  const f = (name: string, value: number): Field => ({ kind: "float", name, value });
  const i = (name: string, value: number): Field => ({ kind: "int", name, value });
  const k = (name: string, value: number | null): Field[] => (value === null ? [] : [f(name, value)]);
  return [
    f("calendar_s", e.calendarS),
    f("planned_busy_s", e.plannedBusyS),
    f("breakdown_s", e.breakdownS),
    f("setup_s", e.setupS),
    f("other_stop_s", e.otherStopS),
    f("run_s", e.runS),
    f("small_stop_s", e.smallStopS),
    f("net_run_s", e.netRunS),
    f("fully_productive_s", e.fullyProductiveS),
    f("data_gap_s", e.dataGapS),
    i("total", e.total),
    i("reject", e.reject),
    i("good", e.good),
    i("failures", e.failures),
    ...k("availability", r.kpis.availability),
    ...k("performance", r.kpis.performance),
    ...k("quality", r.kpis.quality),
    ...k("oee", r.kpis.oee),
    { kind: "string", name: "flags", value: r.flags.join(",") },
    { kind: "timestamp", name: "computed_at", micros: computedAtMs * 1000 },
  ];
}

export interface RollupDeps {
  pool: pg.Pool;
  writer: RowWriter;
  machines: MachineInfo[];
  now?: () => number;
}

/** OEE of every machine for every closed bucket in [from, to), plus line/site/enterprise roll-ups. */
export async function rollupBuckets(deps: RollupDeps, g: Granularity, from: number, to: number): Promise<{ buckets: number; rows: number }> {
  const size = GRANULARITIES[g];
  const computedAt = (deps.now ?? Date.now)();
  let rows = 0;
  const buckets = closedBuckets(g, from, to);
  for (const start of buckets) {
    const window = { start, end: start + size };
    const out: Row[] = [];
    const groups = new Map<string, { level: string; results: OeeResult[] }>();
    for (const m of deps.machines) {
      const path = { enterprise: m.enterprise, site: m.site, area: m.area, line: m.line, machine: m.slug };
      const events = await loadMachineEvents(deps.pool, path, window);
      const r = computeOee({
        window,
        idealCycleTimeS: m.idealCycleTimeS,
        plan: m.shifts.length ? { kind: "calendar", timeZone: m.timeZone, shifts: m.shifts } : { kind: "window" },
        mapping: m.lossMapping ?? DEFAULT_MAPPING,
        ...events,
      });
      out.push({
        table: TABLES.oeeMachine,
        symbols: [
          ["granularity", g],
          ["enterprise", m.enterprise],
          ["site", m.site],
          ["area", m.area],
          ["line", m.line],
          ["machine", m.slug],
          ["mapping_version", r.mappingVersion],
        ],
        fields: oeeFields(r, computedAt),
        ts: start * 1000,
      });
      for (const [level, key] of [
        ["line", `${m.enterprise}/${m.site}/${m.area}/${m.line}`],
        ["site", `${m.enterprise}/${m.site}`],
        ["enterprise", m.enterprise],
      ] as const) {
        const gkey = `${level}|${key}`;
        const grp = groups.get(gkey) ?? { level, results: [] };
        grp.results.push(r);
        groups.set(gkey, grp);
      }
    }
    for (const [gkey, grp] of groups) {
      const r = rollup(grp.results);
      out.push({
        table: TABLES.oeeRollup,
        symbols: [
          ["granularity", g],
          ["level", grp.level],
          ["key", gkey.slice(grp.level.length + 1)],
          ["mapping_version", r.mappingVersion],
        ],
        fields: oeeFields(r, computedAt),
        ts: start * 1000,
      });
    }
    await deps.writer.write(out);
    rows += out.length;
  }
  return { buckets: buckets.length, rows };
}
