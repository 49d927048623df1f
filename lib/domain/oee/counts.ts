// Units produced in a window, from cumulative counters (reset and rollover aware) or deltas.
import type { CountEvent, DataQualityFlag, Interval } from "./types.ts";

export interface WindowCounts {
  total: number;
  reject: number;
  /** The part of `reject` counted by events for which `isStartup(ts)` holds. */
  startupReject: number;
  flags: DataQualityFlag[];
}

/**
 * Deltas: the events inside [start, end) are summed. Cumulative: each sample inside the window adds
 * its increase over the previous sample (which may lie before the window; the first sample ever only
 * sets the baseline). A counter that went down rolled over when `counterMax` is known and the
 * previous value was in the top 10 % of its range (increase = max − prev + 1 + value); otherwise it
 * was reset to 0 (increase = value).
 */
export function countsInWindow(events: readonly CountEvent[], w: Interval, isStartup: (ts: number) => boolean = () => false): WindowCounts {
  const flags = new Set<DataQualityFlag>();
  const sorted = [...events].sort((a, b) => a.ts - b.ts);
  let total = 0;
  let reject = 0;
  let startupReject = 0;
  let prev: { total: number; reject: number } | undefined;
  for (const e of sorted) {
    if (e.ts >= w.end) break;
    const inside = e.ts >= w.start;
    if (e.mode === "delta") {
      if (inside) {
        total += e.total;
        reject += e.reject;
        if (isStartup(e.ts)) startupReject += e.reject;
      }
      continue;
    }
    if (prev && inside) {
      const inc = (now: number, before: number) => {
        if (now >= before) return now - before;
        if (e.counterMax !== undefined && before >= 0.9 * e.counterMax) {
          flags.add("counter_rollover");
          return e.counterMax - before + 1 + now;
        }
        flags.add("counter_reset");
        return now;
      };
      total += inc(e.total, prev.total);
      const r = inc(e.reject, prev.reject);
      reject += r;
      if (isStartup(e.ts)) startupReject += r;
    }
    prev = { total: e.total, reject: e.reject };
  }
  return { total, reject, startupReject, flags: [...flags] };
}
