// Whether a machine was producing at a time, from its stored state changes and its loss mapping:
// detectors learn and score only then. A machine with no state change in the read (nor in the 24 h
// before it) is judged by its own vibration instead: a retrofitted sensor is often all a pump or a fan
// has, and without this it would never learn, never raise a zone alert and never clear one.

import type pg from "pg";
import type { MachineInfo } from "#lib/adapters/db/plant.ts";
import { type FeatureRow, featureRowsSince } from "#lib/adapters/questdb/pdm-telemetry.ts";
import { classify, DEFAULT_MAPPING } from "#lib/domain/oee/mapping.ts";
import type { LossMapping, StateEvent } from "#lib/domain/oee/types.ts";
import { turningByVibration } from "#lib/domain/vibration/iso10816.ts";
import { loadFleetEvents } from "#lib/features/oee/events.ts";

/**
 * A cursor over a machine's state changes (oldest first): call it with non-decreasing timestamps;
 * true while the state in effect is productive or at reduced speed. Pure: the scans use it on the
 * changes read from QuestDB, the run-to-failure harness on the simulator's messages.
 */
export function runningCursorOver(changes: readonly StateEvent[], mapping: LossMapping = DEFAULT_MAPPING): (ts: number) => boolean {
  let c = 0;
  return (ts) => {
    while (c + 1 < changes.length && (changes[c + 1]?.ts as number) <= ts) c++;
    const st = changes[c] && (changes[c]?.ts as number) <= ts ? changes[c] : undefined;
    return st !== undefined && producing(st, mapping);
  };
}

const producing = (st: StateEvent, mapping: LossMapping): boolean => {
  const loss = classify(st, mapping);
  return loss === "PRODUCTIVE" || loss === "REDUCED_SPEED";
};

/**
 * How long the machine was producing (or at reduced speed) in [from, to), in ms, from its state
 * changes (oldest first; the one in effect at `from` among them). Pure, like runningCursorOver.
 */
export function runningMsOver(changes: readonly StateEvent[], from: number, to: number, mapping: LossMapping = DEFAULT_MAPPING): number {
  let ms = 0;
  for (let i = 0; i < changes.length; i++) {
    const c = changes[i] as StateEvent;
    const start = Math.max(c.ts, from);
    const end = Math.min(changes[i + 1]?.ts ?? to, to);
    if (end > start && producing(c, mapping)) ms += end - start;
  }
  return ms;
}

/** A vibration reading as the fallback reads it (FeatureRow's shape). */
export type TurningRow = Pick<FeatureRow, "ts" | "speedRpm"> & { values: Pick<FeatureRow["values"], "velocity_rms_mm_s"> };
type VibrationClass = Pick<MachineInfo, "vibrationGroup" | "foundation">;

/** A reading stands for the time until the next one, at most this long (a silent sensor is no evidence of running). */
export const READING_HOLDS_MS = 5 * 60_000;

const turning = (r: TurningRow, m: VibrationClass) =>
  turningByVibration({ velocityRmsMmS: r.values.velocity_rms_mm_s, speedRpm: r.speedRpm }, m.vibrationGroup, m.foundation) === true;

/** runningCursorOver for a machine without state messages: the latest reading (oldest first) within READING_HOLDS_MS shows the shaft turning. */
export function turningCursorOver(rows: readonly TurningRow[], m: VibrationClass): (ts: number) => boolean {
  let c = -1;
  return (ts) => {
    while (c + 1 < rows.length && (rows[c + 1] as TurningRow).ts <= ts) c++;
    const r = rows[c];
    return r !== undefined && ts - r.ts <= READING_HOLDS_MS && turning(r, m);
  };
}

/** runningMsOver for a machine without state messages: each turning reading counts until the next one, at most READING_HOLDS_MS. */
export function turningMsOver(rows: readonly TurningRow[], m: VibrationClass, from: number, to: number): number {
  let ms = 0;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i] as TurningRow;
    const start = Math.max(r.ts, from);
    const end = Math.min(rows[i + 1]?.ts ?? to, r.ts + READING_HOLDS_MS, to);
    if (end > start && turning(r, m)) ms += end - start;
  }
  return ms;
}

/** The machine's producing time in [from, to) from its stored state changes (runningMsOver), or without any from its vibration (turningMsOver). */
export async function runningMs(pool: pg.Pool, m: MachineInfo, from: number, to: number): Promise<number> {
  const states = await stateChanges(pool, m, from, to);
  if (states.length > 0) return runningMsOver(states, from, to, m.lossMapping ?? DEFAULT_MAPPING);
  return turningMsOver(await featureRowsSince(pool, m.path, from - 1, to), m, from, to);
}

async function stateChanges(pool: pg.Pool, m: MachineInfo, first: number, last: number): Promise<StateEvent[]> {
  const events = (
    await loadFleetEvents(pool, {
      range: { start: first, end: last + 1 },
      boundaries: [],
      lookbackMs: 24 * 3_600_000,
      lookaheadMs: 0,
      parallelism: 1,
      only: m.path,
    })
  ).get(m.key);
  return events?.states ?? [];
}

/** A cursor over [first, last]: call it with non-decreasing timestamps. By state changes, or without any by vibration (turningCursorOver). */
export async function runningCursor(pool: pg.Pool, m: MachineInfo, first: number, last: number): Promise<(ts: number) => boolean> {
  const states = await stateChanges(pool, m, first, last);
  if (states.length > 0) return runningCursorOver(states, m.lossMapping ?? DEFAULT_MAPPING);
  return turningCursorOver(await featureRowsSince(pool, m.path, first - READING_HOLDS_MS, last), m);
}
