// One machine's raw events for a window, as `andon oee compute` input lines (docs/oee.md): the same
// events the roll-up jobs read, unreduced, with the machine's ideal cycle time, shift calendar, loss
// mapping and the reasons assigned after the fact. So any number the jobs wrote can be recomputed
// by hand.

import type pg from "pg";
import type { MachineInfo } from "#lib/adapters/db/plant.ts";
import { machineRawRows } from "#lib/adapters/questdb/oee-export.ts";
import { DEFAULT_MAPPING } from "#lib/domain/oee/mapping.ts";
import type { Interval, ReasonEdit } from "#lib/domain/oee/types.ts";

export async function exportMachineEvents(o: {
  pool: pg.Pool;
  machine: MachineInfo;
  window: Interval;
  reasonEdits?: (range: Interval) => Promise<Map<string, ReasonEdit[]>>;
}): Promise<string[]> {
  const m = o.machine;
  const mapping = m.lossMapping ?? DEFAULT_MAPPING;
  const iso = (ms: number) => new Date(ms).toISOString();
  // the same look-back and look-ahead as the jobs
  const from = o.window.start - Math.max(3_600_000, mapping.microStopThresholdS * 1000);
  const to = o.window.end + mapping.microStopThresholdS * 1000;
  const [raw, edits] = await Promise.all([
    machineRawRows(o.pool, m.path, { start: from, end: to }, o.window),
    o.reasonEdits ? o.reasonEdits(o.window) : Promise.resolve(new Map<string, ReasonEdit[]>()),
  ]);
  const lines: unknown[] = [
    { type: "machine", idealCycleTimeS: m.idealCycleTimeS },
    { type: "window", start: iso(o.window.start), end: iso(o.window.end) },
    ...(m.shifts.length ? [{ type: "calendar", timeZone: m.timeZone, shifts: m.shifts }] : []),
    { type: "mapping", ...mapping },
    ...raw.states.map((r) => ({
      type: "state",
      ts: r.ts.toISOString(),
      ...(r.state !== null ? { state: r.state } : {}),
      ...(r.code !== null ? { code: Number(r.code) } : {}),
      ...(r.reason !== null ? { reason: r.reason } : {}),
    })),
    ...raw.counts.map((r) => ({
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
