// The vibration-feature sources of the watermark scan (watermark-scan.ts): the features of each
// vibration message, machine by machine. Both raise the ISO 10816-3 zone alert of the latest velocity
// measured while running (C: warning, D: critical) and learn only while the machine produces. The
// live one (multivariateSource, t2q-live@v2) raises one drift alert per machine when its vibration
// leaves the learned running pattern at its speed; featureSource (robust-ewma per feature, the live
// detector before it) one per drifting feature.

import type { MachineInfo } from "#lib/adapters/db/plant.ts";
import { type FeatureRow, featureRowsSince } from "#lib/adapters/questdb/pdm-telemetry.ts";
import { type AlertSignal, episodeSignals, scanSignals, zoneSignal } from "#lib/domain/pdm/alert-rules.ts";
import { type DetectorParams, type DetectorSnapshot, RobustEwmaDetector } from "#lib/domain/pdm/detector.ts";
import { MESSAGE_FEATURES, type MessageFeature } from "#lib/domain/pdm/features.ts";
import { LiveMultivariate, type LiveMultivariateState, type LiveParams, multivariateSignal, T2Q_LIVE_V2 } from "#lib/domain/pdm/live-multivariate.ts";
import type { SavedDetectors, ScanSource, WatermarkScanDeps } from "./watermark-scan.ts";
import { scanStateKey, watermarkScan } from "./watermark-scan.ts";

export interface ScanDeps extends WatermarkScanDeps {
  /** the per-feature detectors (robust-ewma, featureSource) with these parameters instead of the multivariate detector */
  params?: DetectorParams;
}

const SOURCE = "pdm";
/** Where a machine's feature detectors and watermark are kept (Redis). */
export const featureStateKey = (prefix: string, machineKey: string) => scanStateKey(prefix, SOURCE, machineKey);

/** In a long read, signals are taken at least this often (device time). */
const SIGNAL_EVERY_MS = 10 * 60_000;

export interface ScanResult {
  machines: number;
  samples: number;
  /** alerts opened, escalated or reopened */
  raised: number;
  /** signals of conditions already active */
  updated: number;
  cleared: number;
}

export function featureSource(params: DetectorParams): ScanSource<FeatureRow, SavedDetectors<MessageFeature>> {
  return {
    name: SOURCE,
    watches: () => true,
    read: (pool, m, since, until) => featureRowsSince(pool, m.path, since, until),
    evaluate(m: MachineInfo, saved, rows, runningAt) {
      const detectors = Object.fromEntries(MESSAGE_FEATURES.map((f) => [f, RobustEwmaDetector.restore(params, saved?.[f])])) as Record<
        MessageFeature,
        RobustEwmaDetector
      >;
      let lastVelocity: { v: number; ts: number } | undefined;
      const lastValue: Partial<Record<MessageFeature, number>> = {};
      const stretches: AlertSignal[][] = [];
      // signals at least every SIGNAL_EVERY_MS of device time: a scan that reads hours (the first
      // one after a history fill, or after the worker was down) raises what happened then, when it did
      const signalsAt = (at: number) =>
        stretches.push(
          scanSignals("features", m.key, m, {
            velocity: lastVelocity,
            velocityState: detectors.velocity_rms_mm_s.state,
            features: MESSAGE_FEATURES,
            stateOf: (f) => detectors[f].state,
            versionOf: () => params.version,
            lastValue,
            at,
          }),
        );
      let chunkStart = rows[0]?.ts ?? 0;
      let prev = chunkStart;
      for (const r of rows) {
        if (r.ts - chunkStart >= SIGNAL_EVERY_MS) {
          signalsAt(prev); // the state after the rows up to the previous one
          chunkStart = r.ts;
        }
        prev = r.ts;
        const running = runningAt(r.ts);
        for (const f of MESSAGE_FEATURES) {
          const v = r.values[f];
          if (v === undefined) continue;
          detectors[f].update(r.ts, v, running);
          lastValue[f] = v;
          if (f === "velocity_rms_mm_s" && running) lastVelocity = { v, ts: r.ts };
        }
      }
      signalsAt(rows[rows.length - 1]?.ts ?? 0);
      const snapshots = Object.fromEntries(MESSAGE_FEATURES.map((f) => [f, detectors[f].snapshot()])) as Record<MessageFeature, DetectorSnapshot>;
      return { signals: episodeSignals(stretches), detectors: snapshots, used: rows.length, skipped: 0 };
    },
  };
}

/**
 * The multivariate source: one T² + SPE detector per machine over its vibration features and speed
 * (lib/domain/pdm/live-multivariate.ts), the ISO zone alert as featureSource raises it. Same store
 * key as featureSource: a machine whose saved detectors are of the other kind starts learning again
 * from its watermark.
 */
export function multivariateSource(params: LiveParams = T2Q_LIVE_V2): ScanSource<FeatureRow, LiveMultivariateState> {
  return {
    name: SOURCE,
    watches: () => true,
    read: (pool, m, since, until) => featureRowsSince(pool, m.path, since, until),
    evaluate(m: MachineInfo, saved, rows, runningAt) {
      const d = new LiveMultivariate(params, saved);
      let lastVelocity: { v: number; ts: number } | undefined;
      const stretches: AlertSignal[][] = [];
      const signalsAt = (at: number) => {
        const out: AlertSignal[] = [];
        const zone = lastVelocity && zoneSignal(m.key, m, lastVelocity, d.baseline("velocity_rms_mm_s"));
        if (zone) out.push(zone);
        const drift = multivariateSignal(m.key, m, d, at);
        if (drift) out.push(drift);
        stretches.push(out);
      };
      let chunkStart = rows[0]?.ts ?? 0;
      let prev = chunkStart;
      for (const r of rows) {
        if (r.ts - chunkStart >= SIGNAL_EVERY_MS) {
          signalsAt(prev);
          chunkStart = r.ts;
        }
        prev = r.ts;
        const running = runningAt(r.ts);
        d.update(r, running, m.nominalSpeedRpm);
        const v = r.values.velocity_rms_mm_s;
        if (running && v !== undefined) lastVelocity = { v, ts: r.ts };
      }
      signalsAt(rows[rows.length - 1]?.ts ?? 0);
      return { signals: episodeSignals(stretches), detectors: d.snapshot(), used: rows.length, skipped: 0 };
    },
  };
}

export async function scanVibration(deps: ScanDeps): Promise<ScanResult> {
  // the multivariate detector by default: better on the simulator's run to failure than robust-ewma@v4
  // per feature (docs/predictive-maintenance.md, "Live detection and run-to-failure")
  const r = deps.params ? await watermarkScan(featureSource(deps.params), deps) : await watermarkScan(multivariateSource(), deps);
  return { machines: r.machines, samples: r.used, raised: r.raised, updated: r.updated, cleared: r.cleared };
}
