// State -> loss category, by a versioned mapping. Named states and numeric codes (the United
// Manufacturing Hub's table, categories of 10,000) both work.
import type { LossCategory, LossMapping, StateEvent } from "./types.ts";

/** Named states and their codes: the United Manufacturing Hub's table; the MQTT contract uses it too (docs/mqtt.md). */
export const STATE_CODES = {
  running: 10000,
  low_speed: 20000,
  unknown: 30000,
  stopped: 40000,
  idle: 40100,
  operator_stop: 40200,
  micro_stop: 50000,
  inlet_jam: 60000,
  outlet_jam: 70000,
  congestion: 80000,
  material_issue: 90000,
  changeover: 100000,
  changeover_preparation: 100010,
  changeover_post_processing: 100020,
  cleaning: 110000,
  emptying: 120000,
  setting_up: 130000,
  operator_absent: 140000,
  break: 150000,
  no_shift: 160000,
  no_order: 170000,
  equipment_failure: 180000,
  external_failure: 190000,
  external_interference: 200000,
  preventive_maintenance: 210000,
  technical_stop: 220000,
} as const;

const STATE_CODE: Readonly<Record<string, number>> = STATE_CODES;

/** How people, the audit log and the OEE rows name a mapping version: "standard@v3". */
export const versionLabel = (m: { name: string; version: number }) => `${m.name}@v${m.version}`;

export const UNKNOWN_CODE = 30000;

export function codeOf(e: Pick<StateEvent, "state" | "code">): number {
  if (e.code !== undefined) return e.code;
  return (e.state !== undefined ? STATE_CODE[e.state] : undefined) ?? UNKNOWN_CODE;
}

/**
 * The most specific rule wins: a rule with a reason (that also matches the state/code if it names
 * one) > an exact code or named state > the code's category. No match: UNPLANNED_STOP.
 */
export function classify(e: Pick<StateEvent, "state" | "code" | "reason">, mapping: LossMapping): LossCategory {
  const code = codeOf(e);
  const category = Math.floor(code / 10000) * 10000;
  let best: { score: number; loss: LossCategory } | undefined;
  for (const r of mapping.rules) {
    const matchesState =
      (r.state === undefined || r.state === e.state) && (r.code === undefined || r.code === code) && (r.category === undefined || r.category === category);
    if (!matchesState) continue;
    if (r.reason !== undefined && r.reason !== e.reason) continue;
    const score = (r.reason !== undefined ? 4 : 0) + (r.state !== undefined || r.code !== undefined ? 2 : 0) + (r.category !== undefined ? 1 : 0);
    if (!best || score > best.score) best = { score, loss: r.loss };
  }
  return best?.loss ?? "UNPLANNED_STOP";
}

/** The default mapping (v1): the UMH categories, breaks, no-shift, no-order and preventive maintenance planned. */
export const DEFAULT_MAPPING: LossMapping = {
  name: "default",
  version: 1,
  microStopThresholdS: 120,
  rules: [
    { category: 10000, loss: "PRODUCTIVE" },
    { category: 20000, loss: "REDUCED_SPEED" },
    { category: 50000, loss: "SMALL_STOP" },
    { category: 100000, loss: "SETUP_ADJUSTMENT" },
    { category: 110000, loss: "SETUP_ADJUSTMENT" },
    { category: 120000, loss: "SETUP_ADJUSTMENT" },
    { category: 130000, loss: "SETUP_ADJUSTMENT" },
    { category: 150000, loss: "PLANNED_STOP" },
    { category: 160000, loss: "PLANNED_STOP" },
    { category: 170000, loss: "PLANNED_STOP" },
    { category: 180000, loss: "BREAKDOWN" },
    { category: 210000, loss: "PLANNED_STOP" },
  ],
};
