// The vibration-feature source of the watermark scan (watermark-scan.ts): the features of each
// vibration message, machine by machine. Raises the ISO 10816-3 zone alert of the latest velocity
// measured while running (C: warning, D: critical) and a drift alert for each feature whose
// detector holds one, learning only while the machine produces.

import type { MachineInfo } from "#lib/adapters/db/plant.ts";
import { type FeatureRow, featureRowsSince } from "#lib/adapters/questdb/pdm-telemetry.ts";
import { scanSignals } from "#lib/domain/pdm/alert-rules.ts";
import { DETECTOR_V4, type DetectorParams, type DetectorSnapshot, RobustEwmaDetector } from "#lib/domain/pdm/detector.ts";
import { MESSAGE_FEATURES, type MessageFeature } from "#lib/domain/pdm/features.ts";
import type { ScanSource, WatermarkScanDeps } from "./watermark-scan.ts";
import { watermarkScan } from "./watermark-scan.ts";

export interface ScanDeps extends WatermarkScanDeps {
  params?: DetectorParams;
}

export interface ScanResult {
  machines: number;
  samples: number;
  raised: number;
  cleared: number;
}

export function featureSource(params: DetectorParams): ScanSource<FeatureRow, MessageFeature> {
  return {
    name: "pdm",
    watches: () => true,
    read: (pool, m, since, until) => featureRowsSince(pool, m.path, since, until),
    evaluate(m: MachineInfo, saved, rows, runningAt) {
      const detectors = Object.fromEntries(MESSAGE_FEATURES.map((f) => [f, RobustEwmaDetector.restore(params, saved[f])])) as Record<
        MessageFeature,
        RobustEwmaDetector
      >;
      let lastVelocity: { v: number; ts: number } | undefined;
      const lastValue: Partial<Record<MessageFeature, number>> = {};
      for (const r of rows) {
        const running = runningAt(r.ts);
        for (const f of MESSAGE_FEATURES) {
          const v = r.values[f];
          if (v === undefined) continue;
          detectors[f].update(r.ts, v, running);
          lastValue[f] = v;
          if (f === "velocity_rms_mm_s" && running) lastVelocity = { v, ts: r.ts };
        }
      }
      const signals = scanSignals("features", m.key, m, {
        velocity: lastVelocity,
        velocityState: detectors.velocity_rms_mm_s.state,
        features: MESSAGE_FEATURES,
        stateOf: (f) => detectors[f].state,
        versionOf: () => params.version,
        lastValue,
        at: rows[rows.length - 1]?.ts ?? 0,
      });
      const snapshots = Object.fromEntries(MESSAGE_FEATURES.map((f) => [f, detectors[f].snapshot()])) as Record<MessageFeature, DetectorSnapshot>;
      return { signals, detectors: snapshots, used: rows.length, skipped: 0 };
    },
  };
}

export async function scanVibration(deps: ScanDeps): Promise<ScanResult> {
  const r = await watermarkScan(featureSource(deps.params ?? DETECTOR_V4), deps);
  return { machines: r.machines, samples: r.used, raised: r.raised, cleared: r.cleared };
}
