// KPIs, the six big losses and data-quality flags from time elements alone, so a single machine
// and a roll-up (sums of elements) use the same formulas. docs/oee.md has every definition.

import type { DataQualityFlag, Kpis, SixBigLosses, TimeElements } from "./types.ts";

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
