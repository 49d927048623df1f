// Whether a machine was producing at a time, from its stored state changes and its loss mapping:
// detectors learn and score only then.

import type pg from "pg";
import type { MachineInfo } from "#lib/adapters/db/plant.ts";
import { classify, DEFAULT_MAPPING } from "#lib/domain/oee/mapping.ts";
import type { LossMapping, StateEvent } from "#lib/domain/oee/types.ts";
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

/** The machine's producing time in [from, to) from its stored state changes (runningMsOver). */
export async function runningMs(pool: pg.Pool, m: MachineInfo, from: number, to: number): Promise<number> {
  return runningMsOver(await stateChanges(pool, m, from, to), from, to, m.lossMapping ?? DEFAULT_MAPPING);
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

/** A cursor over [first, last]: call it with non-decreasing timestamps. */
export async function runningCursor(pool: pg.Pool, m: MachineInfo, first: number, last: number): Promise<(ts: number) => boolean> {
  return runningCursorOver(await stateChanges(pool, m, first, last), m.lossMapping ?? DEFAULT_MAPPING);
}
