// Types of the OEE core (ISO 22400-2 time model). Pure: imports nothing outside lib/domain.
// Times are epoch milliseconds (instants) and seconds (durations); counts are units.

export const LOSS_CATEGORIES = ["PRODUCTIVE", "REDUCED_SPEED", "SMALL_STOP", "SETUP_ADJUSTMENT", "BREAKDOWN", "UNPLANNED_STOP", "PLANNED_STOP"] as const;
export type LossCategory = (typeof LOSS_CATEGORIES)[number];

/** One rule; the most specific match wins: reason > exact code or named state > code category. */
export interface MappingRule {
  state?: string;
  code?: number;
  category?: number;
  reason?: string;
  loss: LossCategory;
}

export interface LossMapping {
  name: string;
  version: number;
  /** Unplanned stops shorter than this are small stops (a performance loss), seconds. */
  microStopThresholdS: number;
  /**
   * Rejects made within this many seconds after production restarts from a setup, a breakdown or a
   * planned stop are startup rejects; later ones are production rejects. 0 or absent: all are
   * production rejects.
   */
  startupWindowS?: number;
  rules: MappingRule[];
}

export interface StateEvent {
  ts: number;
  state?: string;
  code?: number;
  reason?: string;
}

export type CountEvent =
  | { ts: number; mode: "delta"; total: number; reject: number }
  | { ts: number; mode: "cumulative"; total: number; reject: number; counterMax?: number };

/** A reason assigned after the fact to whatever stops overlap [start, end). Later edits win. */
export interface ReasonEdit {
  start: number;
  end: number;
  reason: string;
}

export interface Interval {
  start: number;
  end: number;
}

export interface ShiftDef {
  name: string;
  /** ISO weekdays the shift starts on, 1 = Monday. */
  weekdays: number[];
  /** "HH:MM" local time; an end before the start means the next day. */
  start: string;
  end: string;
  /** Breaks as elapsed minutes after the shift's start. */
  breaks: { name?: string; startOffsetMin: number; durationMin: number }[];
}

/** Either a shift calendar in an IANA time zone, or an explicit planned busy time, or neither (the whole window is planned). */
export type Plan = { kind: "calendar"; timeZone: string; shifts: ShiftDef[] } | { kind: "explicit"; plannedTimeS: number } | { kind: "window" };

export interface OeeInput {
  window: Interval;
  idealCycleTimeS: number;
  plan: Plan;
  mapping: LossMapping;
  /** State events, any order; include the last one before the window so its start is known. */
  states: StateEvent[];
  /** Count events, any order; for cumulative counters include the last sample before the window. */
  counts: CountEvent[];
  reasonEdits?: ReasonEdit[];
}

/** ISO 22400-2 time elements and quantities, in seconds and units. Sums of these roll up. */
export interface TimeElements {
  calendarS: number;
  /** Planned stops: outside shifts, calendar breaks, and states mapped to PLANNED_STOP. */
  plannedStopS: number;
  /** PBT, planned busy time. */
  plannedBusyS: number;
  breakdownS: number;
  setupS: number;
  /** Unplanned stops that are neither breakdowns nor setups (waiting, material, unknown...). */
  otherStopS: number;
  /** APT, actual production time (run time) = PBT − breakdowns − setups − other stops. */
  runS: number;
  smallStopS: number;
  /** Net run time = ideal cycle time × total count. */
  netRunS: number;
  /** Fully productive time = ideal cycle time × good count. */
  fullyProductiveS: number;
  /** Time with no known state (treated as an unplanned stop of state "unknown"). */
  dataGapS: number;
  total: number;
  reject: number;
  /** Rejects inside a startup window (part of `reject`). */
  startupReject: number;
  good: number;
  failures: number;
}

export type DataQualityFlag =
  | "zero_planned_time"
  | "no_counts"
  | "performance_above_100"
  | "data_gap"
  | "counter_reset"
  | "counter_rollover"
  | "negative_delta_ignored";

export interface Kpis {
  /** null where the denominator is zero (never NaN). */
  availability: number | null;
  performance: number | null;
  quality: number | null;
  oee: number | null;
  technicalEfficiency: number | null;
  setupRatio: number | null;
  scrapRatio: number | null;
  /** Units per hour of planned busy time. */
  throughputPerHour: number | null;
  mtbfS: number | null;
  mttrS: number | null;
}

export interface SixBigLosses {
  breakdownsS: number;
  setupAdjustmentsS: number;
  smallStopsS: number;
  reducedSpeedS: number;
  startupRejectsS: number;
  productionRejectsS: number;
}

export interface OeeResult {
  mappingVersion: string;
  elements: TimeElements;
  kpis: Kpis;
  losses: SixBigLosses & { otherStopsS: number };
  flags: DataQualityFlag[];
}
