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
    const loss = st ? classify(st, mapping) : undefined;
    return loss === "PRODUCTIVE" || loss === "REDUCED_SPEED";
  };
}

/** A cursor over [first, last]: call it with non-decreasing timestamps. */
export async function runningCursor(pool: pg.Pool, m: MachineInfo, first: number, last: number): Promise<(ts: number) => boolean> {
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
  return runningCursorOver(events?.states ?? [], m.lossMapping ?? DEFAULT_MAPPING);
}
