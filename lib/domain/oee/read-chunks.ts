// How the OEE feature reads a range of raw events: in time chunks (cut at every bucket boundary, so
// the count reduction of lib/adapters/questdb/oee-events.ts stays exact per bucket, and into at least
// `parallelism` pieces so several QuestDB workers share a load), and how the pieces are merged back.
// Pure.

import type { CountEvent, Interval } from "./types.ts";

/** [from, to) cut at every cut inside it and into `parallelism` equal pieces. */
export function chunks(from: number, to: number, cuts: readonly number[], parallelism: number): Interval[] {
  const step = (to - from) / Math.max(1, parallelism);
  const points = new Set<number>([from, to, ...cuts.filter((c) => c > from && c < to)]);
  for (let i = 1; i < parallelism; i++) points.add(Math.round(from + i * step));
  const sorted = [...points].sort((a, b) => a - b);
  return sorted.slice(1).map((end, i) => ({ start: sorted[i] as number, end }));
}

/** The last sample of a chunk may also be its first or a decrease row: keep one copy of each sample. */
export function dedupeCounts(events: CountEvent[]): CountEvent[] {
  const seen = new Set<string>();
  const out: CountEvent[] = [];
  // stable: a synthetic "sample before a decrease" keeps its place just before the decrease
  for (const e of events.map((e, i) => ({ e, i })).sort((a, b) => a.e.ts - b.e.ts || a.i - b.i)) {
    const k = `${e.e.ts}|${e.e.mode}|${e.e.total}|${e.e.reject}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(e.e);
  }
  return out;
}
