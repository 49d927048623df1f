// OEE of one machine over one window (ISO 22400-2). docs/oee.md has every definition and formula.

import { mergeIntervals, overlapMs, plannedIntervals } from "./calendar.ts";
import { countsInWindow } from "./counts.ts";
import { classify, UNKNOWN_CODE } from "./mapping.ts";
import type { DataQualityFlag, Interval, Kpis, LossCategory, OeeInput, OeeResult, SixBigLosses, StateEvent, TimeElements } from "./types.ts";

interface Segment extends StateEvent {
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
function segments(input: OeeInput): { segs: Segment[]; gapMs: number } {
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

const ratio = (num: number, den: number): number | null => (den > 0 ? num / den : null);

/** KPIs from time elements alone, so a roll-up (sums) and a single machine use the same formulas. */
export function kpisOf(t: TimeElements): Kpis {
  return {
    availability: ratio(t.runS, t.plannedBusyS),
    performance: t.runS > 0 ? t.netRunS / t.runS : null,
    // good/total for one machine; for a roll-up weighted by ideal time, so that A × P × Q = OEE still holds
    quality: ratio(t.fullyProductiveS, t.netRunS),
    oee: ratio(t.fullyProductiveS, t.plannedBusyS),
    technicalEfficiency: ratio(t.runS, t.runS + t.breakdownS),
    setupRatio: ratio(t.setupS, t.setupS + t.runS),
    scrapRatio: ratio(t.reject, t.total),
    throughputPerHour: t.plannedBusyS > 0 ? t.total / (t.plannedBusyS / 3600) : null,
    mtbfS: t.failures > 0 ? t.runS / t.failures : null,
    mttrS: t.failures > 0 ? t.breakdownS / t.failures : null,
  };
}

export function lossesOf(t: TimeElements, idealCycleTimeS: number): SixBigLosses & { otherStopsS: number } {
  const ict = idealCycleTimeS;
  return {
    breakdownsS: t.breakdownS,
    setupAdjustmentsS: t.setupS,
    smallStopsS: t.smallStopS,
    // the rest of the performance loss; never negative (performance above 100 % is flagged instead)
    reducedSpeedS: Math.max(0, t.runS - t.smallStopS - t.netRunS),
    startupRejectsS: t.startupReject * ict,
    productionRejectsS: (t.reject - t.startupReject) * ict,
    otherStopsS: t.otherStopS,
  };
}

export function flagsOf(t: TimeElements): DataQualityFlag[] {
  const f: DataQualityFlag[] = [];
  if (t.plannedBusyS <= 0) f.push("zero_planned_time");
  if (t.total === 0) f.push("no_counts");
  if (t.runS > 0 && t.netRunS > t.runS * (1 + 1e-9)) f.push("performance_above_100");
  if (t.dataGapS > 0) f.push("data_gap");
  return f;
}

/** Planned milliseconds in [from, to) (0 when empty); outside a calendar everything counts as planned. */
function plannedMsBetween(plan: OeeInput["plan"], from: number, to: number): number {
  if (to <= from) return 0;
  if (plan.kind !== "calendar") return to - from;
  return plannedIntervals({ start: from, end: to }, plan.timeZone, plan.shifts).reduce((a, i) => a + (i.end - i.start), 0);
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
function lossOf(s: Segment, mapping: OeeInput["mapping"]): LossCategory {
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
function startupTest(input: OeeInput): (ts: number) => boolean {
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

export function computeOee(input: OeeInput): OeeResult {
  const { window: w, plan, mapping } = input;
  const sec = (ms: number) => ms / 1000;
  const planned: Interval[] = plan.kind === "calendar" ? plannedIntervals(w, plan.timeZone, plan.shifts) : mergeIntervals([{ start: w.start, end: w.end }]);
  const { segs, gapMs } = segments(input);

  let plannedStateStopMs = 0;
  let breakdownMs = 0;
  let setupMs = 0;
  let otherMs = 0;
  let smallMs = 0;
  let failures = 0;
  for (const s of segs) {
    const inPlan = overlapMs(s.start, s.end, planned);
    switch (lossOf(s, mapping)) {
      case "PLANNED_STOP":
        plannedStateStopMs += inPlan;
        break;
      case "BREAKDOWN":
        breakdownMs += inPlan;
        // A failure counts once, in the window holding the stop's first planned moment: so it is
        // counted for the first piece of the stop with planned time, if none before the window had any.
        if (inPlan > 0 && s.start === Math.max(s.ts, w.start) && plannedMsBetween(plan, s.ts, w.start) === 0) failures++;
        break;
      case "SETUP_ADJUSTMENT":
        setupMs += inPlan;
        break;
      case "UNPLANNED_STOP":
        otherMs += inPlan;
        break;
      case "SMALL_STOP":
        smallMs += inPlan;
        break;
      case "PRODUCTIVE":
      case "REDUCED_SPEED":
        break;
    }
  }
  const calendarS = sec(w.end - w.start);
  const plannedCalendarS = planned.reduce((a, i) => a + sec(i.end - i.start), 0);
  const plannedBusyS = plan.kind === "explicit" ? plan.plannedTimeS : plannedCalendarS - sec(plannedStateStopMs);
  const runS = Math.max(0, plannedBusyS - sec(breakdownMs + setupMs + otherMs));
  const counts = countsInWindow(input.counts, w, startupTest(input));
  const elements: TimeElements = {
    calendarS,
    plannedStopS: calendarS - plannedBusyS,
    plannedBusyS,
    breakdownS: sec(breakdownMs),
    setupS: sec(setupMs),
    otherStopS: sec(otherMs),
    runS,
    smallStopS: sec(smallMs),
    netRunS: counts.total * input.idealCycleTimeS,
    fullyProductiveS: (counts.total - counts.reject) * input.idealCycleTimeS,
    dataGapS: sec(gapMs),
    total: counts.total,
    reject: counts.reject,
    startupReject: counts.startupReject,
    good: counts.total - counts.reject,
    failures,
  };
  return {
    mappingVersion: `${mapping.name}@v${mapping.version}`,
    elements,
    kpis: kpisOf(elements),
    losses: lossesOf(elements, input.idealCycleTimeS),
    flags: [...flagsOf(elements), ...counts.flags],
  };
}

/** Machine -> line -> site -> enterprise: sums of time elements and counts; KPIs recomputed, never averaged. */
export function rollup(results: readonly OeeResult[]): OeeResult {
  const keys = Object.keys(results[0]?.elements ?? {}) as (keyof TimeElements)[];
  const sum = Object.fromEntries(keys.map((k) => [k, results.reduce((a, r) => a + r.elements[k], 0)])) as unknown as TimeElements;
  const elements: TimeElements = results.length ? sum : { ...zeroElements() };
  const versions = [...new Set(results.map((r) => r.mappingVersion))];
  return {
    mappingVersion: versions.join(","),
    elements,
    kpis: kpisOf(elements),
    // losses are seconds: they add up across machines (each priced at its own ideal cycle time)
    losses: sumLosses(results),
    flags: [...new Set([...flagsOf(elements), ...results.flatMap((r) => r.flags)])],
  };
}

function sumLosses(results: readonly OeeResult[]): OeeResult["losses"] {
  const add = (k: keyof OeeResult["losses"]) => results.reduce((a, r) => a + r.losses[k], 0);
  return {
    breakdownsS: add("breakdownsS"),
    setupAdjustmentsS: add("setupAdjustmentsS"),
    smallStopsS: add("smallStopsS"),
    reducedSpeedS: add("reducedSpeedS"),
    startupRejectsS: add("startupRejectsS"),
    productionRejectsS: add("productionRejectsS"),
    otherStopsS: add("otherStopsS"),
  };
}

function zeroElements(): TimeElements {
  return {
    calendarS: 0,
    plannedStopS: 0,
    plannedBusyS: 0,
    breakdownS: 0,
    setupS: 0,
    otherStopS: 0,
    runS: 0,
    smallStopS: 0,
    netRunS: 0,
    fullyProductiveS: 0,
    dataGapS: 0,
    total: 0,
    reject: 0,
    startupReject: 0,
    good: 0,
    failures: 0,
  };
}
