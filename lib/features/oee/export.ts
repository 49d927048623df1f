// One machine's raw events for a window, as `andon oee compute` input lines (docs/oee.md): the same
// events the roll-up jobs read, unreduced, with the machine's ideal cycle time, shift calendar, loss
// mapping and the reasons assigned after the fact. So any number the jobs wrote can be recomputed
// by hand.

import type pg from "pg";
import type { MachineInfo } from "#lib/adapters/db/plant.ts";
import { TABLES } from "#lib/adapters/questdb/tables.ts";
import { DEFAULT_MAPPING } from "#lib/domain/oee/mapping.ts";
import type { Interval, ReasonEdit } from "#lib/domain/oee/types.ts";

const WHERE = "enterprise = $1 AND site = $2 AND area = $3 AND line = $4 AND machine = $5";

export async function exportMachineEvents(o: {
  pool: pg.Pool;
  machine: MachineInfo;
  window: Interval;
  reasonEdits?: (range: Interval) => Promise<Map<string, ReasonEdit[]>>;
}): Promise<string[]> {
  const m = o.machine;
  const mapping = m.lossMapping ?? DEFAULT_MAPPING;
  const path = [m.enterprise, m.site, m.area, m.line, m.slug];
  const iso = (ms: number) => new Date(ms).toISOString();
  // the same look-back and look-ahead as the jobs
  const from = o.window.start - Math.max(3_600_000, mapping.microStopThresholdS * 1000);
  const to = o.window.end + mapping.microStopThresholdS * 1000;
  const [before, states, countBefore, counts, edits] = await Promise.all([
    o.pool.query(`SELECT ts, state, code, reason FROM ${TABLES.state} WHERE ${WHERE} AND ts < $6 ORDER BY ts DESC LIMIT 1`, [...path, iso(from)]),
    o.pool.query(`SELECT ts, state, code, reason FROM ${TABLES.state} WHERE ${WHERE} AND ts >= $6 AND ts < $7 ORDER BY ts`, [...path, iso(from), iso(to)]),
    o.pool.query(
      `SELECT ts, mode, total, reject, counter_max FROM ${TABLES.counts} WHERE ${WHERE} AND mode = 'cumulative' AND ts < $6 ORDER BY ts DESC LIMIT 1`,
      [...path, iso(o.window.start)],
    ),
    o.pool.query(`SELECT ts, mode, total, reject, counter_max FROM ${TABLES.counts} WHERE ${WHERE} AND ts >= $6 AND ts < $7 ORDER BY ts`, [
      ...path,
      iso(o.window.start),
      iso(o.window.end),
    ]),
    o.reasonEdits ? o.reasonEdits(o.window) : Promise.resolve(new Map<string, ReasonEdit[]>()),
  ]);
  const lines: unknown[] = [
    { type: "machine", idealCycleTimeS: m.idealCycleTimeS },
    { type: "window", start: iso(o.window.start), end: iso(o.window.end) },
    ...(m.shifts.length ? [{ type: "calendar", timeZone: m.timeZone, shifts: m.shifts }] : []),
    { type: "mapping", ...mapping },
    ...[...before.rows, ...states.rows].map((r) => ({
      type: "state",
      ts: r.ts.toISOString(),
      ...(r.state !== null ? { state: r.state } : {}),
      ...(r.code !== null ? { code: Number(r.code) } : {}),
      ...(r.reason !== null ? { reason: r.reason } : {}),
    })),
    ...[...countBefore.rows, ...counts.rows].map((r) => ({
      type: "counts",
      ts: r.ts.toISOString(),
      mode: r.mode,
      total: Number(r.total),
      reject: Number(r.reject),
      ...(r.counter_max !== null ? { counter_max: Number(r.counter_max) } : {}),
    })),
    ...(edits.get(m.key) ?? []).map((e) => ({ type: "reason", start: iso(e.start), end: iso(e.end), reason: e.reason })),
  ];
  return [`# ${m.key} ${iso(o.window.start)} .. ${iso(o.window.end)}, exported ${new Date().toISOString()}`, ...lines.map((l) => JSON.stringify(l))];
}
