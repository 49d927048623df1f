// The rules of maintenance alerts: which signal a detector's state raises (the ISO 10816-3 zone of a
// velocity measured while running, a feature's drift) with its explanation and suggested action,
// when a raise escalates or reopens an alert, when an alert clears, and which changes people may
// make in which status. Pure: lib/features/pdm/alerts.ts applies these decisions to PostgreSQL and MQTT.
import { type Foundation, type VibrationGroup, ZONE_LIMITS, zoneOf } from "#lib/domain/vibration/iso10816.ts";
import type { DetectorState } from "./detector.ts";
import type { MessageFeature, SnapshotFeature } from "./features.ts";
import { describeForecast, type RulForecast } from "./rul.ts";

export type Severity = "WARNING" | "CRITICAL";
const RANK: Record<Severity, number> = { WARNING: 1, CRITICAL: 2 };

export type AlertStatus = "OPEN" | "ACKNOWLEDGED" | "RESOLVED" | "CLEARED";
/** An alert in these states is the machine's one active alert of its cause. */
export const ACTIVE_STATUSES = ["OPEN", "ACKNOWLEDGED"] as const satisfies readonly AlertStatus[];

/** A condition that comes back this soon after its alert cleared reopens that alert (a flap). */
export const FLAP_WINDOW_MS = 10 * 60_000;
/** An active alert whose condition has not come back for this long is cleared. */
export const QUIET_MS = 30 * 60_000;

/** What a detector saw: the alert of its machine and cause is opened, updated, escalated or reopened with it. */
export interface AlertSignal {
  machineKey: string;
  feature: string;
  cause: string;
  severity: Severity;
  value: number;
  baseline?: number;
  zone?: string;
  explanation: string;
  suggestedAction: string;
  detectorVersion: string;
  at: number;
}

/** A raise on the active alert: escalated (to the signal's severity, open again) when the signal is more severe. */
export const escalates = (active: Severity, s: Severity): boolean => RANK[s] > RANK[active];

/** A reopened alert keeps the higher of its own severity and the signal's. */
export const reopenedSeverity = (previous: Severity, s: Severity): Severity => (escalates(previous, s) ? s : previous);

/** Cleared alerts at or after this time reopen on a raise at `at`. */
export const flapSince = (at: number, flapWindowMs = FLAP_WINDOW_MS): number => at - flapWindowMs;

/** Active alerts last seen before this time may be cleared at `now` (quietLongEnough decides). */
export const quietBefore = (now: number, quietMs = QUIET_MS): number => now - quietMs;

/** A machine's producing time (ms) from `since` until now. */
export type RunningMs = (machineKey: string, since: number) => Promise<number>;

/**
 * An alert clears when its machine has produced for the quiet time without its condition coming
 * back: a stopped machine cannot show that its condition is gone, and a stop (the weekend, a repair)
 * is when the crew works the alert, so its time does not count.
 */
export const quietLongEnough = (runningMsSinceSeen: number, quietMs = QUIET_MS): boolean => runningMsSinceSeen >= quietMs;

/** What a maintenance technician should look at when a feature drifts. */
export const SUGGESTED_ACTIONS: Record<MessageFeature | SnapshotFeature, string> = {
  velocity_rms_mm_s: "check balance, alignment and mounting; plan a bearing inspection",
  accel_rms_g: "check the bearings and lubrication",
  crest_factor: "look for impacts: early bearing or gear damage, looseness",
  kurtosis: "look for impacts: early bearing damage",
  temperature_c: "check lubrication, load and cooling",
  band_1x_g: "check balance (1× running speed)",
  band_2x_g: "check alignment and looseness (2× running speed)",
  envelope_bpfo_g: "outer-race defect signature (BPFO): plan a bearing replacement",
  envelope_bpfi_g: "inner-race defect signature (BPFI): plan a bearing replacement",
  envelope_bsf_g: "rolling-element defect signature (BSF): plan a bearing replacement",
  envelope_ftf_g: "cage defect signature (FTF): plan a bearing replacement",
};

/** A machine as the ISO 10816-3 zones see it. */
export interface VibrationClass {
  vibrationGroup: VibrationGroup;
  foundation: Foundation;
}

/**
 * The zone alert of a velocity measured while running: a warning in zone C, critical in zone D,
 * nothing in A or B. The baseline is the learned median when there is one, else the A/B boundary.
 */
export function zoneSignal(machineKey: string, m: VibrationClass, velocity: { v: number; ts: number }, baseline?: number): AlertSignal | undefined {
  const zone = zoneOf(velocity.v, m.vibrationGroup, m.foundation);
  if (zone !== "C" && zone !== "D") return undefined;
  const [ab, bc, cd] = ZONE_LIMITS[m.vibrationGroup][m.foundation];
  return {
    machineKey,
    feature: "velocity_rms_mm_s",
    cause: "zone:velocity_rms_mm_s",
    severity: zone === "D" ? "CRITICAL" : "WARNING",
    value: velocity.v,
    baseline: baseline ?? ab,
    zone,
    explanation: `velocity RMS ${velocity.v.toFixed(2)} mm/s is in ISO 10816-3 zone ${zone} (${m.vibrationGroup === "GROUP_1" ? "group 1" : "group 2"}, ${m.foundation.toLowerCase()}: B/C ${bc}, C/D ${cd} mm/s)`,
    suggestedAction: zone === "D" ? "vibration can damage the machine: stop it when possible and inspect" : "restricted operation: plan the repair",
    detectorVersion: "iso10816-3",
    at: velocity.ts,
  };
}

/** Where a drifting value came from: a vibration message's features or features computed from waveform snapshots. */
export type DriftSource = "features" | "waveform";

/** The drift warning of a feature whose detector holds an alert, with its latest value and the detector's state. */
export function driftSignal(
  source: DriftSource,
  machineKey: string,
  m: VibrationClass,
  drift: { feature: MessageFeature | SnapshotFeature; value: number; state: Pick<DetectorState, "median" | "z" | "ewma">; detectorVersion: string; at: number },
): AlertSignal {
  const { feature: f, value: v, state: s } = drift;
  const trail = `learned while running (robust z ${s.z.toFixed(1)}, EWMA ${s.ewma.toFixed(2)})`;
  return {
    machineKey,
    feature: f,
    cause: source === "waveform" ? `drift:waveform/${f}` : `drift:${f}`,
    severity: "WARNING",
    value: v,
    baseline: s.median,
    ...(f === "velocity_rms_mm_s" ? { zone: zoneOf(v, m.vibrationGroup, m.foundation) } : {}),
    explanation:
      source === "waveform"
        ? `${f} ${v.toPrecision(3)} (from waveform snapshots) against a baseline of ${s.median.toPrecision(3)} ${trail}`
        : `${f} ${v.toFixed(3)} against a baseline of ${s.median.toFixed(3)} ${trail}`,
    suggestedAction: SUGGESTED_ACTIONS[f],
    detectorVersion: drift.detectorVersion,
    at: drift.at,
  };
}

/**
 * What one scan of a machine signals: its ISO zone from the last velocity measured while running
 * (against the velocity detector's baseline when learned), and a drift warning for each feature whose
 * detector holds an alert and that `keep` accepts.
 */
export function scanSignals<F extends MessageFeature | SnapshotFeature>(
  source: DriftSource,
  machineKey: string,
  m: VibrationClass,
  scan: {
    velocity?: { v: number; ts: number } | undefined;
    velocityState: Pick<DetectorState, "ready" | "median">;
    features: readonly F[];
    stateOf: (f: F) => DetectorState;
    versionOf: (f: F) => string;
    lastValue: Partial<Record<F, number>>;
    at: number;
    keep?: (f: F) => boolean;
  },
): AlertSignal[] {
  const signals: AlertSignal[] = [];
  const zone = scan.velocity && zoneSignal(machineKey, m, scan.velocity, scan.velocityState.ready ? scan.velocityState.median : undefined);
  if (zone) signals.push(zone);
  for (const f of scan.features) {
    const state = scan.stateOf(f);
    const value = scan.lastValue[f];
    if (!state.alert || value === undefined || (scan.keep && !scan.keep(f))) continue;
    signals.push(driftSignal(source, machineKey, m, { feature: f, value, state, detectorVersion: scan.versionOf(f), at: scan.at }));
  }
  return signals;
}

/**
 * The signal with the machine's remaining-useful-life forecast (lib/domain/pdm/rul.ts) in its
 * explanation: "…; velocity forecast: zone C (4.5 mm/s) in ~5.2 h (3.9 h–7.0 h, 90 % interval)".
 * A machine without a rising velocity trend keeps the explanation as it is.
 */
export function withForecast(s: AlertSignal, f: RulForecast | undefined): AlertSignal {
  if (f?.kind !== "trend") return s;
  return { ...s, explanation: `${s.explanation}; velocity forecast: ${describeForecast(f)}` };
}

/** Why a person's change is refused (the codes of lib/contract/errors.ts), or undefined when it is allowed. */
export type Refusal = { code: "forbidden" | "conflict" | "invalid"; message: string } | undefined;

/** People act only on the alerts of their sites. */
export function siteRefusal(actor: { name: string; sites: "all" | readonly string[] }, siteKey: string): Refusal {
  if (actor.sites === "all" || actor.sites.includes(siteKey)) return undefined;
  return { code: "forbidden", message: `${actor.name} may not act on site ${siteKey}` };
}

export function acknowledgeRefusal(status: AlertStatus): Refusal {
  return status === "OPEN" ? undefined : { code: "conflict", message: `the alert is ${status.toLowerCase()}, not open` };
}

export function assignRefusal(status: AlertStatus): Refusal {
  return status === "RESOLVED" || status === "CLEARED" ? { code: "conflict", message: `the alert is ${status.toLowerCase()}` } : undefined;
}

/** A resolution says what was found and done. */
export function resolveRefusal(status: AlertStatus, note: string): Refusal {
  if (status === "RESOLVED") return { code: "conflict", message: "the alert is resolved already" };
  if (!note.trim()) return { code: "invalid", message: "body.note: say what was found and done" };
  return undefined;
}

/**
 * The signals of consecutive stretches of one long read (oldest first), reduced to what the alert
 * store needs: for each episode of a cause (signalled in consecutive stretches), its first signal
 * (the onset), every change of severity, and its last signal (when it was last seen). A read of days
 * of history then writes a few rows per episode instead of one per stretch.
 */
export function episodeSignals(stretches: readonly (readonly AlertSignal[])[]): AlertSignal[] {
  const out: AlertSignal[] = [];
  let open = new Map<string, { latest: AlertSignal; raised: AlertSignal }>();
  for (const signals of stretches) {
    const next = new Map<string, { latest: AlertSignal; raised: AlertSignal }>();
    for (const s of signals) {
      const ep = open.get(s.cause);
      if (!ep || ep.raised.severity !== s.severity) {
        out.push(s);
        next.set(s.cause, { latest: s, raised: s });
      } else next.set(s.cause, { latest: s, raised: ep.raised });
    }
    for (const [cause, ep] of open) if (!next.has(cause) && ep.latest !== ep.raised) out.push(ep.latest);
    open = next;
  }
  for (const ep of open.values()) if (ep.latest !== ep.raised) out.push(ep.latest);
  return out.sort((a, b) => a.at - b.at);
}
