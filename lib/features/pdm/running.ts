// Whether a machine was producing at a time, from its stored state changes and its loss mapping:
// detectors learn and score only then.

import type pg from "pg";
import type { MachineInfo } from "#lib/adapters/db/plant.ts";
import { classify, DEFAULT_MAPPING } from "#lib/domain/oee/mapping.ts";
import { loadFleetEvents } from "#lib/features/oee/events.ts";

/** A cursor over [first, last]: call it with non-decreasing timestamps. */
export async function runningCursor(pool: pg.Pool, m: MachineInfo, first: number, last: number): Promise<(ts: number) => boolean> {
  const mapping = m.lossMapping ?? DEFAULT_MAPPING;
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
  const changes = events?.states ?? [];
  let c = 0;
  return (ts) => {
    while (c + 1 < changes.length && (changes[c + 1]?.ts as number) <= ts) c++;
    const st = changes[c] && (changes[c]?.ts as number) <= ts ? changes[c] : undefined;
    const loss = st ? classify(st, mapping) : undefined;
    return loss === "PRODUCTIVE" || loss === "REDUCED_SPEED";
  };
}
