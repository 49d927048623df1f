// A machine's state stream as a timeline: segments covering a window (with the reasons assigned
// after the fact), each classified as a loss, and the startup windows after restarts. computeOee
// (./compute.ts) measures these; the dashboard and reason editing show and check them.

import { classify, UNKNOWN_CODE } from "./mapping.ts";
import type { Interval, LossCategory, OeeInput, StateEvent } from "./types.ts";

export interface Segment extends StateEvent {
  start: number;
  end: number;
  /** When the state really ended (the next event, possibly after the window); undefined while it lasts. */
  realEnd: number | undefined;
}

const sameState = (a: StateEvent, b: StateEvent) => a.state === b.state && a.code === b.code && a.reason === b.reason;

/**
 * Events in time order with repeats removed: of several events with the same ts the last one in the
 * input wins, and an event repeating the state before it (a heartbeat: same state, code and reason)
 * is not a new state. So a stop published once a second is one stop, from its first event.
 */
export function stateChanges(events: readonly StateEvent[]): StateEvent[] {
  const sorted = events
    .map((e, i) => ({ e, i }))
    .sort((a, b) => a.e.ts - b.e.ts || a.i - b.i)
    .map((x) => x.e);
  const out: StateEvent[] = [];
  for (const e of sorted) {
    if (out.at(-1)?.ts === e.ts) out.pop();
    const last = out.at(-1);
    if (!last || !sameState(last, e)) out.push(e);
  }
  return out;
}

/** State segments covering the window: each state lasts until the next change; the last one past the window end. */
export function segments(input: OeeInput): { segs: Segment[]; gapMs: number } {
  const { window: w } = input;
  const sorted = stateChanges(input.states);
  const segs: Segment[] = [];
  let gapMs = 0;
  const before = sorted.filter((e) => e.ts <= w.start).at(-1);
  const inside = sorted.filter((e) => e.ts > w.start && e.ts < w.end);
  const after = sorted.find((e) => e.ts >= w.end)?.ts;
  const firstStart = inside[0]?.ts ?? w.end;
  if (before) segs.push({ ...before, start: w.start, end: firstStart, realEnd: inside[0]?.ts ?? after });
  else if (firstStart > w.start) {
    gapMs = firstStart - w.start;
    segs.push({ ts: w.start, code: UNKNOWN_CODE, start: w.start, end: firstStart, realEnd: inside[0]?.ts ?? after });
  }
  inside.forEach((e, k) => {
    const next = inside[k + 1]?.ts;
    segs.push({ ...e, start: e.ts, end: next ?? w.end, realEnd: next ?? after });
  });
  return { segs: applyReasonEdits(segs, input.reasonEdits ?? []), gapMs };
}

/** Splits segments at edit boundaries and sets the edited reason; a later edit wins over an earlier one. */
function applyReasonEdits(segs: Segment[], edits: readonly { start: number; end: number; reason: string }[]): Segment[] {
  let out = segs;
  for (const edit of edits) {
    const next: Segment[] = [];
    for (const s of out) {
      const a = Math.max(s.start, edit.start);
      const b = Math.min(s.end, edit.end);
      if (b <= a) {
        next.push(s);
        continue;
      }
      if (s.start < a) next.push({ ...s, end: a });
      next.push({ ...s, start: a, end: b, reason: edit.reason });
      if (b < s.end) next.push({ ...s, start: b });
    }
    out = next;
  }
  return out;
}

/** A state interval inside the window with the loss it counts as (for timelines and reason editing). */
export interface TimelineEntry {
  start: number;
  end: number;
  state?: string;
  code?: number;
  reason?: string;
  loss: LossCategory;
}

/** The window as state intervals, each classified exactly as computeOee classifies it. */
export function stateTimeline(input: OeeInput): TimelineEntry[] {
  return segments(input).segs.map((s) => ({
    start: s.start,
    end: s.end,
    ...(s.state !== undefined ? { state: s.state } : {}),
    ...(s.code !== undefined ? { code: s.code } : {}),
    ...(s.reason !== undefined ? { reason: s.reason } : {}),
    loss: lossOf(s, input.mapping),
  }));
}

/** The segment's loss; a short unplanned stop whose end is known is a small stop (its whole length counts, even outside the window). */
export function lossOf(s: Segment, mapping: OeeInput["mapping"]): LossCategory {
  const loss = classify(s, mapping);
  if ((loss === "BREAKDOWN" || loss === "UNPLANNED_STOP") && s.realEnd !== undefined && (s.realEnd - s.ts) / 1000 < mapping.microStopThresholdS)
    return "SMALL_STOP";
  return loss;
}

const RESTARTS_FROM: ReadonlySet<LossCategory> = new Set(["SETUP_ADJUSTMENT", "BREAKDOWN", "PLANNED_STOP"]);

/**
 * Startup windows: the first `startupWindowS` seconds of production after a setup, a breakdown or a
 * planned stop (small stops and other stops are not restarts), found on the whole event stream (so
 * a restart just before the window still counts). A count event inside one counts its rejects as
 * startup rejects. A reason edit covering the stop's first moment decides its loss, as in the window.
 */
export function startupTest(input: OeeInput): (ts: number) => boolean {
  const { mapping } = input;
  const len = (mapping.startupWindowS ?? 0) * 1000;
  if (len <= 0) return () => false;
  const edits = input.reasonEdits ?? [];
  const events = stateChanges(input.states);
  const windows: Interval[] = [];
  for (let i = 0; i + 1 < events.length; i++) {
    const a = events[i] as StateEvent;
    const b = events[i + 1] as StateEvent;
    const edit = edits.filter((e) => a.ts >= e.start && a.ts < e.end).at(-1);
    const stop: Segment = { ...a, ...(edit ? { reason: edit.reason } : {}), start: a.ts, end: b.ts, realEnd: b.ts };
    const next = classify(b, mapping);
    if ((next === "PRODUCTIVE" || next === "REDUCED_SPEED") && RESTARTS_FROM.has(lossOf(stop, mapping))) windows.push({ start: b.ts, end: b.ts + len });
  }
  return (ts) => windows.some((w) => ts >= w.start && ts < w.end);
}
