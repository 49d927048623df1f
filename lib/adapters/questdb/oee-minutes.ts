// The minute rows of oee_machine summed per machine over one interval: one grouped aggregate in
// QuestDB (no window functions, no raw rows), what a coarser bucket is computed from
// (lib/domain/oee/minute-sums.ts says when that is exact).
import type pg from "pg";
import { type MachineKey, machineKey } from "#lib/contract/identity.ts";
import { COUNTER_FLAGS, type MinuteSum } from "#lib/domain/oee/minute-sums.ts";
import type { DataQualityFlag, Interval } from "#lib/domain/oee/types.ts";
import { TABLES } from "./tables.ts";

const SUMMED = [
  ["calendar_s", "calendarS"],
  ["planned_busy_s", "plannedBusyS"],
  ["breakdown_s", "breakdownS"],
  ["setup_s", "setupS"],
  ["other_stop_s", "otherStopS"],
  ["run_s", "runS"],
  ["small_stop_s", "smallStopS"],
  ["net_run_s", "netRunS"],
  ["fully_productive_s", "fullyProductiveS"],
  ["data_gap_s", "dataGapS"],
  ["total", "total"],
  ["reject", "reject"],
  ["startup_reject", "startupReject"],
  ["failures", "failures"],
] as const;

type Row = Record<string, string | number | null>;

/**
 * Every machine's minute rows in [i.start, i.end), summed; grouped also by mapping version, ideal
 * cycle time and flags, so that rows that differ in those are seen (a handful of groups per machine).
 * `settleS`: rows computed less than this long after their minute ended count as unsettled.
 */
export async function minuteSums(pool: pg.Pool, i: Interval, settleS: number): Promise<Map<MachineKey, MinuteSum>> {
  const settle = Math.ceil(settleS);
  if (!Number.isFinite(settle)) throw new Error(`bad settle time ${settleS}`);
  const sums = SUMMED.map(([col]) => `sum(${col}) ${col}`).join(", ");
  const { rows } = await pool.query<Row>(
    `SELECT enterprise, site, area, line, machine, mapping_version, ideal_cycle_s, flags, count() n,
       sum(case when computed_at < dateadd('s', ${settle}, bucket_end) then 1 else 0 end) unsettled, ${sums}
     FROM ${TABLES.oeeMachine} WHERE granularity = 'minute' AND ts >= $1 AND ts < $2`,
    [new Date(i.start).toISOString(), new Date(i.end).toISOString()],
  );
  const out = new Map<MachineKey, MinuteSum>();
  for (const r of rows) {
    const key = machineKey({
      enterprise: String(r.enterprise),
      site: String(r.site),
      area: String(r.area),
      line: String(r.line),
      machine: String(r.machine),
    });
    let s = out.get(key);
    if (!s) {
      s = {
        rows: 0,
        unsettled: 0,
        mappingVersions: [],
        idealCycleTimes: [],
        counterFlags: [],
        elements: Object.fromEntries(SUMMED.map(([, k]) => [k, 0])) as MinuteSum["elements"],
      };
      out.set(key, s);
    }
    s.rows += Number(r.n);
    s.unsettled += Number(r.unsettled);
    const version = String(r.mapping_version);
    if (!s.mappingVersions.includes(version)) s.mappingVersions.push(version);
    // rows written before the column existed have none: never equal to a machine's cycle time
    const ict = r.ideal_cycle_s === null ? Number.NaN : Number(r.ideal_cycle_s);
    if (!s.idealCycleTimes.includes(ict)) s.idealCycleTimes.push(ict);
    for (const f of String(r.flags ?? "").split(",")) {
      if (COUNTER_FLAGS.has(f as DataQualityFlag) && !s.counterFlags.includes(f as DataQualityFlag)) s.counterFlags.push(f as DataQualityFlag);
    }
    for (const [col, k] of SUMMED) s.elements[k] += Number(r[col] ?? 0);
  }
  return out;
}
