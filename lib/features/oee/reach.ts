// Late events and reason edits change a machine's minutes beyond the minute they fall in: this turns
// each into the span of minutes to recompute (lib/domain/oee/plan.ts `reachOf`), by asking QuestDB
// for the machine's next state change and count sample after it.
import type pg from "pg";
import type { MachineInfo } from "#lib/adapters/db/plant.ts";
import { nextEventsAfter } from "#lib/adapters/questdb/oee-reach.ts";
import { type MachinePath, machineKey } from "#lib/contract/identity.ts";
import { DEFAULT_MAPPING } from "#lib/domain/oee/mapping.ts";
import { reachOf } from "#lib/domain/oee/plan.ts";
import type { Interval } from "#lib/domain/oee/types.ts";

export interface Touch extends Interval {
  machine: MachinePath;
  /** Late events: a stop ending inside may have started up to the micro-stop threshold before. Edits: no. */
  kind: "late" | "edit";
}

/** Adjacent or overlapping touches of the same machine and kind as one (an outage marks every minute). */
function merged(touches: readonly Touch[]): Touch[] {
  const sorted = [...touches].sort((a, b) => machineKey(a.machine).localeCompare(machineKey(b.machine)) || a.kind.localeCompare(b.kind) || a.start - b.start);
  const out: Touch[] = [];
  for (const t of sorted) {
    const last = out.at(-1);
    if (last && last.kind === t.kind && machineKey(last.machine) === machineKey(t.machine) && t.start <= last.end) last.end = Math.max(last.end, t.end);
    else out.push({ ...t });
  }
  return out;
}

/** The spans to recompute for these touches (a few small queries per machine, `parallelism` at a time). */
export async function reachOfTouches(
  pool: pg.Pool,
  machines: readonly MachineInfo[],
  touches: readonly Touch[],
  now: number,
  parallelism = 2,
): Promise<Interval[]> {
  const byKey = new Map(machines.map((m) => [m.key as string, m]));
  const todo = merged(touches);
  const out: Interval[] = [];
  const workers = Array.from({ length: Math.max(1, parallelism) }, async () => {
    for (let t = todo.shift(); t; t = todo.shift()) {
      const mapping = byKey.get(machineKey(t.machine))?.lossMapping ?? DEFAULT_MAPPING;
      const thresholdMs = mapping.microStopThresholdS * 1000;
      const next = await nextEventsAfter(pool, t.machine, t.end);
      out.push(reachOf(t, next, { backMs: t.kind === "late" ? thresholdMs : 0, thresholdMs, startupMs: (mapping.startupWindowS ?? 0) * 1000, now }));
    }
  });
  await Promise.all(workers);
  return out;
}
