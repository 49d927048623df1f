// One waveform snapshot through the feature extraction and the machine's drift detectors: what the
// waveform scan does per snapshot and what `andon bench pdm` times. Pure.
import { DETECTOR_ENVELOPE_V1, DETECTOR_SNAPSHOT_V1, type DetectorEvent, type DetectorParams, type DetectorSnapshot, RobustEwmaDetector } from "./detector.ts";
import { type Bearing, type Features, SNAPSHOT_FEATURES, type SnapshotFeature, snapshotFeatureValues, waveformFeatures } from "./features.ts";

const G = 9.80665;

export interface Snapshot {
  ts: number;
  sampleRateHz: number;
  unit: "g" | "m_s2" | "mm_s";
  samples: readonly number[];
  /** speed at the time of the snapshot, when the device sent it */
  speedRpm?: number;
}

export interface SnapshotMachine {
  nominalSpeedRpm?: number;
  /** the bearing geometry, when configured: the envelope at its defect frequencies is computed */
  bearing?: Bearing;
}

export type SnapshotDetectors = Record<SnapshotFeature, RobustEwmaDetector>;

/** The frozen detector of each snapshot feature: the envelope amplitudes have their own (noisier features). */
export const snapshotParams = (f: SnapshotFeature): DetectorParams => (f.startsWith("envelope_") ? DETECTOR_ENVELOPE_V1 : DETECTOR_SNAPSHOT_V1);

export function snapshotDetectors(
  saved: Partial<Record<SnapshotFeature, DetectorSnapshot>> = {},
  paramsOf: (f: SnapshotFeature) => DetectorParams = snapshotParams,
): SnapshotDetectors {
  return Object.fromEntries(SNAPSHOT_FEATURES.map((f) => [f, RobustEwmaDetector.restore(paramsOf(f), saved[f])])) as SnapshotDetectors;
}

export function saveDetectors(d: SnapshotDetectors): Record<SnapshotFeature, DetectorSnapshot> {
  return Object.fromEntries(SNAPSHOT_FEATURES.map((f) => [f, d[f].snapshot()])) as Record<SnapshotFeature, DetectorSnapshot>;
}

/** Features of one snapshot; undefined for a velocity waveform (mm/s), which these features are not defined on. */
export function snapshotFeatures(s: Snapshot, m: SnapshotMachine): Features | undefined {
  if (s.unit === "mm_s") return undefined;
  const speedRpm = s.speedRpm && s.speedRpm > 0 ? s.speedRpm : m.nominalSpeedRpm;
  return waveformFeatures({
    sampleRateHz: s.sampleRateHz,
    samples: s.unit === "m_s2" ? Float64Array.from(s.samples, (v) => v / G) : s.samples,
    ...(speedRpm ? { speedRpm } : {}),
    ...(m.bearing ? { bearing: m.bearing } : {}),
  });
}

export interface SnapshotResult {
  features: Features;
  values: Partial<Record<SnapshotFeature, number>>;
  events: (DetectorEvent & { feature: SnapshotFeature })[];
}

/**
 * Features, then each feature's detector (learning and scoring only while `running`). Undefined
 * when the snapshot cannot be analysed (a velocity waveform); the detectors are then not touched.
 */
export function analyseSnapshot(s: Snapshot, m: SnapshotMachine, detectors: SnapshotDetectors, running: boolean): SnapshotResult | undefined {
  const features = snapshotFeatures(s, m);
  if (!features) return undefined;
  const values = snapshotFeatureValues(features);
  const events: SnapshotResult["events"] = [];
  for (const f of SNAPSHOT_FEATURES) {
    const v = values[f];
    if (v === undefined) continue;
    const e = detectors[f].update(s.ts, v, running);
    if (e) events.push({ ...e, feature: f });
  }
  return { features, values, events };
}
