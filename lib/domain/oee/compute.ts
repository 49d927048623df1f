// OEE of one machine over one window (ISO 22400-2), and the roll-up of several. docs/oee.md has
// every definition and formula.

import { overlapMs, planIntervals, plannedIntervals } from "./calendar.ts";
import { countsInWindow } from "./counts.ts";
import { flagsOf, kpisOf, lossesOf } from "./kpis.ts";
import { versionLabel } from "./mapping.ts";
import { lossOf, segments, startupTest } from "./timeline.ts";
import type { Interval, OeeInput, OeeResult, TimeElements } from "./types.ts";

/** Planned milliseconds in [from, to) (0 when empty); outside a calendar everything counts as planned. */
function plannedMsBetween(plan: OeeInput["plan"], from: number, to: number): number {
  if (to <= from) return 0;
  if (plan.kind !== "calendar") return to - from;
  return plannedIntervals({ start: from, end: to }, plan.timeZone, plan.shifts).reduce((a, i) => a + (i.end - i.start), 0);
}

export function computeOee(input: OeeInput): OeeResult {
  const { window: w, plan, mapping } = input;
  const sec = (ms: number) => ms / 1000;
  const planned: Interval[] = planIntervals(plan, w);
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
        // counted for the piece of the stop with planned time that has none before it (from the
        // stop's start), whether the piece starts at a window's start or after a reason edit's end.
        if (inPlan > 0 && plannedMsBetween(plan, s.ts, s.start) === 0) failures++;
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
  // on the clock, in whole milliseconds until the end, so that no float residue is left (a run time of
  // 1e-13 s would make a performance of 0 where there is none) and the parts of a window add up to it
  const plannedBusyMs = planned.reduce((a, i) => a + (i.end - i.start), 0) - plannedStateStopMs;
  const stopsMs = breakdownMs + setupMs + otherMs;
  const plannedBusyS = plan.kind === "explicit" ? plan.plannedTimeS : sec(plannedBusyMs);
  const runS = Math.max(0, plan.kind === "explicit" ? plannedBusyS - sec(stopsMs) : sec(plannedBusyMs - stopsMs));
  const counts = countsInWindow(input.counts, w, startupTest(input));
  const elements: TimeElements = {
    calendarS,
    plannedStopS: plan.kind === "explicit" ? calendarS - plannedBusyS : sec(w.end - w.start - plannedBusyMs),
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
    mappingVersion: versionLabel(mapping),
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
