// The waveform-snapshot source of the watermark scan (watermark-scan.ts), for the machines with a
// waveform sensor: computes vibration features from each snapshot and runs the snapshot detectors
// on them, learning and scoring only while the machine produces (the envelope at the bearing defect
// frequencies when the machine's bearing geometry and a speed are known). Raises the ISO 10816-3
// zone alert from the snapshot's velocity and a drift alert per feature. CPU-heavy: the pdm worker
// runs it in a BullMQ sandboxed processor, so the FFTs never block its event loop.

import type { MachineInfo } from "#lib/adapters/db/plant.ts";
import { type SnapshotRow, snapshotRowsSince } from "#lib/adapters/questdb/pdm-telemetry.ts";
import { scanSignals } from "#lib/domain/pdm/alert-rules.ts";
import { type Bearing, SNAPSHOT_FEATURES, type SnapshotFeature } from "#lib/domain/pdm/features.ts";
import { analyseSnapshot, type Snapshot, type SnapshotMachine, saveDetectors, snapshotDetectors } from "#lib/domain/pdm/snapshot.ts";
import { type SavedDetectors, type ScanSource, scanStateKey, type WatermarkScanDeps, watermarkScan } from "./watermark-scan.ts";

export interface WaveformScanDeps extends WatermarkScanDeps {
  /** snapshots read per machine and scan (the rest wait for the next scan) */
  limit?: number;
}

export interface WaveformScanResult {
  machines: number;
  snapshots: number;
  skipped: number;
  /** alerts opened, escalated or reopened */
  raised: number;
  /** signals of conditions already active */
  updated: number;
  cleared: number;
}

const SOURCE = "pdm-waveform";
/** Shorter snapshots are skipped: too few samples for the features. */
const MIN_SAMPLES = 64;

export const waveformStateKey = (prefix: string, machineKey: string) => scanStateKey(prefix, SOURCE, machineKey);

function bearingOf(m: MachineInfo): Bearing | undefined {
  if (!m.bearingRollingElements || !m.bearingBallDiameterMm || !m.bearingPitchDiameterMm) return undefined;
  return {
    rollingElements: m.bearingRollingElements,
    ballDiameterMm: m.bearingBallDiameterMm,
    pitchDiameterMm: m.bearingPitchDiameterMm,
    contactAngleDeg: m.bearingContactAngleDeg ?? 0,
  };
}

function snapshotMachine(m: MachineInfo): SnapshotMachine {
  const bearing = bearingOf(m);
  return { ...(m.nominalSpeedRpm ? { nominalSpeedRpm: m.nominalSpeedRpm } : {}), ...(bearing ? { bearing } : {}) };
}

export function waveformSource(limit = 500): ScanSource<SnapshotRow, SavedDetectors<SnapshotFeature>> {
  return {
    name: SOURCE,
    watches: (m) => m.hasWaveformSensor,
    read: (pool, m, since, until) => snapshotRowsSince(pool, m.path, since, until, limit),
    evaluate(m, saved, rows, runningAt) {
      const detectors = snapshotDetectors(saved ?? {});
      const machine = snapshotMachine(m);
      let used = 0;
      let skipped = 0;
      let lastVelocity: { v: number; ts: number } | undefined;
      const lastValue: Partial<Record<SnapshotFeature, number>> = {};
      const stillOut: Partial<Record<SnapshotFeature, boolean>> = {};
      for (const r of rows) {
        const running = runningAt(r.ts);
        if (!r.samples || r.samples.length < MIN_SAMPLES) {
          skipped++;
          continue;
        }
        const s: Snapshot = {
          ts: r.ts,
          sampleRateHz: r.sampleRateHz,
          unit: r.unit as Snapshot["unit"],
          samples: r.samples,
          ...(r.speedRpm !== undefined ? { speedRpm: r.speedRpm } : {}),
        };
        const out = analyseSnapshot(s, machine, detectors, running);
        if (!out) {
          skipped++;
          continue;
        }
        used++;
        Object.assign(lastValue, out.values);
        if (running) {
          lastVelocity = { v: out.features.velocityRmsMmS, ts: r.ts };
          for (const f of SNAPSHOT_FEATURES) stillOut[f] = detectors[f].state.lastOut;
        }
      }
      const signals = scanSignals("waveform", m.key, m, {
        velocity: lastVelocity,
        velocityState: detectors.velocity_rms_mm_s.state,
        features: SNAPSHOT_FEATURES,
        stateOf: (f) => detectors[f].state,
        versionOf: (f) => detectors[f].version,
        lastValue,
        at: rows[rows.length - 1]?.ts ?? 0,
        // kept alive only while the latest snapshot taken running is still out of control: a machine
        // stopped for its repair sends none, its alert clears after the quiet time, and the healthy
        // snapshots after the repair (while the detector's hysteresis still holds the alert) raise nothing
        keep: (f) => stillOut[f] === true,
      });
      return { signals, detectors: saveDetectors(detectors), used, skipped };
    },
  };
}

export async function scanWaveforms(deps: WaveformScanDeps): Promise<WaveformScanResult> {
  const r = await watermarkScan(waveformSource(deps.limit), deps);
  return { machines: r.machines, snapshots: r.used, skipped: r.skipped, raised: r.raised, updated: r.updated, cleared: r.cleared };
}
