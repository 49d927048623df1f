// Computes vibration features from the waveform snapshots that arrived since the last scan, machine
// by machine (machines with a waveform sensor), and runs the snapshot detectors on them, learning
// and scoring only while the machine produces: the envelope at the bearing defect frequencies when
// the machine's bearing geometry and a speed are known. Raises the ISO 10816-3 zone alert from the
// snapshot's velocity and a drift alert per feature. CPU-heavy: the pdm worker runs it in a BullMQ
// sandboxed processor (workers/pdm-waveform.processor.ts). Each machine's detectors and watermark are
// one JSON value in Redis, written after its snapshots are processed, so a repeated or redelivered
// scan starts from the same place and raises nothing new.

import type pg from "pg";
import type { MachineInfo } from "#lib/adapters/db/plant.ts";
import { TABLES } from "#lib/adapters/questdb/tables.ts";
import type { DetectorSnapshot } from "#lib/domain/pdm/detector.ts";
import { type Bearing, SNAPSHOT_FEATURES, type SnapshotFeature } from "#lib/domain/pdm/features.ts";
import { analyseSnapshot, type Snapshot, saveDetectors, snapshotDetectors } from "#lib/domain/pdm/snapshot.ts";
import { zoneOf } from "#lib/domain/vibration/iso10816.ts";
import { type AlertDeps, autoClear, raiseAlert } from "./alerts.ts";
import { runningCursor } from "./running.ts";
import { raiseZoneAlert } from "./scan.ts";

const ACTIONS: Record<SnapshotFeature, string> = {
  velocity_rms_mm_s: "check balance, alignment and mounting; plan a bearing inspection",
  accel_rms_g: "check the bearings and lubrication",
  crest_factor: "look for impacts: early bearing or gear damage, looseness",
  kurtosis: "look for impacts: early bearing damage",
  band_1x_g: "check balance (1× running speed)",
  band_2x_g: "check alignment and looseness (2× running speed)",
  envelope_bpfo_g: "outer-race defect signature (BPFO): plan a bearing replacement",
  envelope_bpfi_g: "inner-race defect signature (BPFI): plan a bearing replacement",
  envelope_bsf_g: "rolling-element defect signature (BSF): plan a bearing replacement",
  envelope_ftf_g: "cage defect signature (FTF): plan a bearing replacement",
};

interface MachineWaveformState {
  watermark: number;
  detectors: Partial<Record<SnapshotFeature, DetectorSnapshot>>;
}

export interface WaveformScanDeps {
  pool: pg.Pool;
  machines: readonly MachineInfo[];
  store: { get(key: string): Promise<string | null>; set(key: string, value: string): Promise<unknown> };
  keyPrefix: string;
  alerts: AlertDeps;
  /** snapshots read per machine and scan (the rest wait for the next scan) */
  limit?: number;
  quietMs?: number;
  now?: number;
}

export interface WaveformScanResult {
  machines: number;
  snapshots: number;
  skipped: number;
  raised: number;
  cleared: number;
}

function bearingOf(m: MachineInfo): Bearing | undefined {
  if (!m.bearingRollingElements || !m.bearingBallDiameterMm || !m.bearingPitchDiameterMm) return undefined;
  return {
    rollingElements: m.bearingRollingElements,
    ballDiameterMm: m.bearingBallDiameterMm,
    pitchDiameterMm: m.bearingPitchDiameterMm,
    contactAngleDeg: m.bearingContactAngleDeg ?? 0,
  };
}

export const waveformStateKey = (prefix: string, machineKey: string) => `${prefix}:pdm-waveform:${machineKey}`;

export async function scanWaveforms(deps: WaveformScanDeps): Promise<WaveformScanResult> {
  const now = deps.now ?? Date.now();
  const machines = deps.machines.filter((m) => m.hasWaveformSensor);
  let snapshots = 0;
  let skipped = 0;
  let raised = 0;
  for (const m of machines) {
    const key = m.key;
    const storeKey = waveformStateKey(deps.keyPrefix, key);
    const saved = await deps.store.get(storeKey);
    const state: MachineWaveformState = saved ? (JSON.parse(saved) as MachineWaveformState) : { watermark: 0, detectors: {} };
    const { rows } = await deps.pool.query(
      `SELECT ts, unit, sample_rate_hz, speed_rpm, samples FROM ${TABLES.waveform}
       WHERE enterprise = $1 AND site = $2 AND area = $3 AND line = $4 AND machine = $5 AND ts > $6 AND ts <= $7 ORDER BY ts LIMIT ${deps.limit ?? 500}`,
      [m.enterprise, m.site, m.area, m.line, m.slug, new Date(state.watermark).toISOString(), new Date(now).toISOString()],
    );
    const firstRow = rows[0];
    const lastRow = rows[rows.length - 1];
    if (!firstRow || !lastRow) continue;
    const first = (firstRow.ts as Date).getTime();
    const last = (lastRow.ts as Date).getTime();
    const runningAt = await runningCursor(deps.pool, m, first, last);
    const detectors = snapshotDetectors(state.detectors);
    const machine = { ...(m.nominalSpeedRpm ? { nominalSpeedRpm: m.nominalSpeedRpm } : {}), ...(bearingOf(m) ? { bearing: bearingOf(m) } : {}) };
    let lastVelocity: { v: number; ts: number } | undefined;
    const lastValue: Partial<Record<SnapshotFeature, number>> = {};
    const stillOut: Partial<Record<SnapshotFeature, boolean>> = {};
    for (const r of rows) {
      const ts = (r.ts as Date).getTime();
      const running = runningAt(ts);
      const samples = r.samples as number[] | null;
      if (!Array.isArray(samples) || samples.length < 64) {
        skipped++;
        continue;
      }
      const s: Snapshot = {
        ts,
        sampleRateHz: Number(r.sample_rate_hz),
        unit: r.unit as Snapshot["unit"],
        samples,
        ...(r.speed_rpm !== null && r.speed_rpm !== undefined ? { speedRpm: Number(r.speed_rpm) } : {}),
      };
      const out = analyseSnapshot(s, machine, detectors, running);
      if (!out) {
        skipped++;
        continue;
      }
      snapshots++;
      Object.assign(lastValue, out.values);
      if (running) {
        lastVelocity = { v: out.features.velocityRmsMmS, ts };
        for (const f of SNAPSHOT_FEATURES) stillOut[f] = detectors[f].state.lastOut;
      }
    }
    if (lastVelocity) {
      const d = detectors.velocity_rms_mm_s.state;
      if (await raiseZoneAlert(deps.alerts, m, lastVelocity, d.ready ? d.median : undefined)) raised++;
    }
    for (const f of SNAPSHOT_FEATURES) {
      const s = detectors[f].state;
      const v = lastValue[f];
      // kept alive only while the latest snapshot taken running is still out of control: a machine
      // stopped for its repair sends none, its alert clears after the quiet time, and the healthy
      // snapshots after the repair (while the detector's hysteresis still holds the alert) raise nothing
      if (!s.alert || !stillOut[f] || v === undefined) continue;
      await raiseAlert(deps.alerts, {
        machineKey: key,
        feature: f,
        cause: `drift:waveform/${f}`,
        severity: "WARNING",
        value: v,
        baseline: s.median,
        ...(f === "velocity_rms_mm_s" ? { zone: zoneOf(v, m.vibrationGroup, m.foundation) } : {}),
        explanation: `${f} ${v.toPrecision(3)} (from waveform snapshots) against a baseline of ${s.median.toPrecision(3)} learned while running (robust z ${s.z.toFixed(1)}, EWMA ${s.ewma.toFixed(2)})`,
        suggestedAction: ACTIONS[f],
        detectorVersion: detectors[f].version,
        at: last,
      });
      raised++;
    }
    const next: MachineWaveformState = { watermark: last, detectors: saveDetectors(detectors) };
    await deps.store.set(storeKey, JSON.stringify(next));
  }
  const cleared = await autoClear(
    deps.alerts,
    now,
    deps.quietMs ?? 30 * 60_000,
    machines.map((m) => m.key),
  );
  return { machines: machines.length, snapshots, skipped, raised, cleared };
}
