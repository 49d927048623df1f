// The plant board's timelines, kept per machine in this server process: a refresh reuses a machine's
// last timeline when only the window's end moved (the same state rows, all before the old end, and
// no reason edit reaching its end): the last segment then just lasts longer, which is what the OEE
// core would compute again (its loss does not depend on how long it has lasted while it lasts).
// Anything else is computed by the core again.
import { LRUCache } from "lru-cache";
import type { MachineInfo } from "#lib/adapters/db/plant.ts";
import { DEFAULT_MAPPING, STATE_CODES, UNKNOWN_CODE } from "#lib/domain/oee/mapping.ts";
import { stateTimeline } from "#lib/domain/oee/timeline.ts";
import type { Interval, LossCategory, ReasonEdit, StateEvent } from "#lib/domain/oee/types.ts";
import { planOf } from "#lib/features/oee/rollup.ts";
import { extendsTimeline } from "./plant-wire.ts";

export interface Segment {
  start: number;
  end: number;
  state: string;
  reason?: string;
  loss: LossCategory;
}

const NAME_OF_CODE = new Map<number, string>(Object.entries(STATE_CODES).map(([name, code]) => [code, name]));

/** A state's name: its own, else the name of its code in the UMH table, else the code; time without data is "no data". */
export function stateName(e: { state?: string; code?: number }): string {
  if (e.state) return e.state;
  if (e.code === UNKNOWN_CODE) return "no data";
  return e.code === undefined ? "unknown" : (NAME_OF_CODE.get(e.code) ?? String(e.code));
}

/** The machine's state segments in the window, classified by the OEE core, with their state names. */
export function machineTimeline(m: MachineInfo, window: Interval, states: readonly StateEvent[], reasonEdits: readonly ReasonEdit[]): Segment[] {
  return stateTimeline({
    window,
    idealCycleTimeS: m.idealCycleTimeS,
    plan: planOf(m),
    mapping: m.lossMapping ?? DEFAULT_MAPPING,
    states: [...states],
    counts: [],
    reasonEdits: [...reasonEdits],
  }).map((t) => ({ start: t.start, end: t.end, state: stateName(t), ...(t.reason ? { reason: t.reason } : {}), loss: t.loss }));
}

interface Kept {
  start: number;
  end: number;
  states: readonly StateEvent[];
  edits: string;
  machine: MachineInfo;
  timeline: Segment[];
}

const g = globalThis as unknown as { __andonTimelines?: LRUCache<string, Kept> };
const store = () => {
  g.__andonTimelines ??= new LRUCache<string, Kept>({ max: 20_000 });
  return g.__andonTimelines;
};

const sameStates = (a: readonly StateEvent[], b: readonly StateEvent[]) =>
  a.length === b.length &&
  a.every((x, i) => {
    const y = b[i] as StateEvent;
    return x === y || (x.ts === y.ts && x.state === y.state && x.code === y.code && x.reason === y.reason);
  });

/** machineTimeline(m, window, states, edits), reusing the machine's last one where it only grows. */
export function liveTimeline(m: MachineInfo, window: Interval, states: readonly StateEvent[], edits: readonly ReasonEdit[]): Segment[] {
  const sig = JSON.stringify(edits);
  const k = store().get(m.key);
  if (
    k &&
    k.start === window.start &&
    k.end <= window.end &&
    k.edits === sig &&
    k.machine === m &&
    k.timeline.length > 0 &&
    edits.every((e) => e.end < k.end) &&
    (states.at(-1)?.ts ?? Number.NEGATIVE_INFINITY) < k.end &&
    sameStates(k.states, states)
  ) {
    const last = k.timeline.at(-1) as Segment;
    const timeline = k.end === window.end ? k.timeline : [...k.timeline.slice(0, -1), { ...last, end: window.end }];
    // its JSON text shares the text of the segments before the last (./plant-wire.ts)
    if (timeline !== k.timeline) extendsTimeline(timeline, k.timeline);
    store().set(m.key, { ...k, end: window.end, states, timeline });
    return timeline;
  }
  const timeline = machineTimeline(m, window, states, edits);
  store().set(m.key, { start: window.start, end: window.end, states, edits: sig, machine: m, timeline });
  return timeline;
}
