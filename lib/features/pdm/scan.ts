// Runs the vibration detectors on what arrived since the last scan, machine by machine: ISO 10816-3
// zone of the velocity (C: warning, D: critical) and the drift detector on each feature, learning
// only while the machine produces. Each machine's detectors and watermark are one JSON value in
// Redis, written after its samples are processed, so a scan that is repeated or redelivered starts
// again from the same place and raises the same alerts (raising an active alert only updates it).

import type pg from "pg";
import type { MachineInfo } from "#lib/adapters/db/plant.ts";
import { TABLES } from "#lib/adapters/questdb/tables.ts";
import { machineKey } from "#lib/contract/identity.ts";
import { DETECTOR_V4, type DetectorParams, type DetectorSnapshot, RobustEwmaDetector } from "#lib/domain/pdm/detector.ts";
import { ZONE_LIMITS, zoneOf } from "#lib/domain/vibration/iso10816.ts";
import { type AlertDeps, autoClear, raiseAlert } from "./alerts.ts";
import { runningCursor } from "./running.ts";

export const FEATURES = ["velocity_rms_mm_s", "accel_rms_g", "crest_factor", "kurtosis", "temperature_c"] as const;
type Feature = (typeof FEATURES)[number];

const ACTIONS: Record<Feature, string> = {
  velocity_rms_mm_s: "check balance, alignment and mounting; plan a bearing inspection",
  accel_rms_g: "check the bearings and lubrication",
  crest_factor: "look for impacts: early bearing or gear damage, looseness",
  kurtosis: "look for impacts: early bearing damage",
  temperature_c: "check lubrication, load and cooling",
};

interface MachineScanState {
  watermark: number;
  detectors: Partial<Record<Feature, DetectorSnapshot>>;
}

export interface ScanDeps {
  pool: pg.Pool;
  machines: readonly MachineInfo[];
  store: { get(key: string): Promise<string | null>; set(key: string, value: string): Promise<unknown> };
  keyPrefix: string;
  alerts: AlertDeps;
  params?: DetectorParams;
  /** alerts whose condition has not come back for this long are cleared */
  quietMs?: number;
  now?: number;
}

export interface ScanResult {
  machines: number;
  samples: number;
  raised: number;
  cleared: number;
}

/** A zone C (warning) or D (critical) alert when a velocity measured while running is there; true when raised. */
export async function raiseZoneAlert(alerts: AlertDeps, m: MachineInfo, velocity: { v: number; ts: number }, baseline?: number): Promise<boolean> {
  const zone = zoneOf(velocity.v, m.vibrationGroup, m.foundation);
  if (zone !== "C" && zone !== "D") return false;
  const [ab, bc, cd] = ZONE_LIMITS[m.vibrationGroup][m.foundation];
  await raiseAlert(alerts, {
    machineKey: m.key,
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
  });
  return true;
}

export async function scanVibration(deps: ScanDeps): Promise<ScanResult> {
  const now = deps.now ?? Date.now();
  const params = deps.params ?? DETECTOR_V4;
  let samples = 0;
  let raised = 0;
  for (const m of deps.machines) {
    const path = { enterprise: m.enterprise, site: m.site, area: m.area, line: m.line, machine: m.slug };
    const key = machineKey(path);
    const storeKey = `${deps.keyPrefix}:pdm:${key}`;
    const saved = await deps.store.get(storeKey);
    const state: MachineScanState = saved ? (JSON.parse(saved) as MachineScanState) : { watermark: 0, detectors: {} };
    const { rows } = await deps.pool.query(
      `SELECT ts, ${FEATURES.join(", ")} FROM ${TABLES.vibration}
       WHERE enterprise = $1 AND site = $2 AND area = $3 AND line = $4 AND machine = $5 AND ts > $6 AND ts <= $7 ORDER BY ts LIMIT 20000`,
      [m.enterprise, m.site, m.area, m.line, m.slug, new Date(state.watermark).toISOString(), new Date(now).toISOString()],
    );
    const firstRow = rows[0];
    const lastRow = rows[rows.length - 1];
    if (!firstRow || !lastRow) continue;
    samples += rows.length;
    const first = (firstRow.ts as Date).getTime();
    const last = (lastRow.ts as Date).getTime();
    const runningAt = await runningCursor(deps.pool, m, first, last);
    const detectors = Object.fromEntries(FEATURES.map((f) => [f, RobustEwmaDetector.restore(params, state.detectors[f])])) as Record<
      Feature,
      RobustEwmaDetector
    >;
    let lastVelocity: { v: number; ts: number } | undefined;
    const lastValue: Partial<Record<Feature, number>> = {};
    for (const r of rows) {
      const ts = (r.ts as Date).getTime();
      const running = runningAt(ts);
      for (const f of FEATURES) {
        const v = r[f];
        if (v === null || v === undefined) continue;
        detectors[f].update(ts, Number(v), running);
        lastValue[f] = Number(v);
        if (f === "velocity_rms_mm_s" && running) lastVelocity = { v: Number(v), ts };
      }
    }
    // ISO 10816-3 zone of the latest velocity measured while running
    if (lastVelocity) {
      const d = detectors.velocity_rms_mm_s.state;
      if (await raiseZoneAlert(deps.alerts, m, lastVelocity, d.ready ? d.median : undefined)) raised++;
    }
    // drift detectors with an open alert
    for (const f of FEATURES) {
      const s = detectors[f].state;
      const v = lastValue[f];
      if (!s.alert || v === undefined) continue;
      await raiseAlert(deps.alerts, {
        machineKey: key,
        feature: f,
        cause: `drift:${f}`,
        severity: "WARNING",
        value: v,
        baseline: s.median,
        ...(f === "velocity_rms_mm_s" ? { zone: zoneOf(v, m.vibrationGroup, m.foundation) } : {}),
        explanation: `${f} ${v.toFixed(3)} against a baseline of ${s.median.toFixed(3)} learned while running (robust z ${s.z.toFixed(1)}, EWMA ${s.ewma.toFixed(2)})`,
        suggestedAction: ACTIONS[f],
        detectorVersion: params.version,
        at: last,
      });
      raised++;
    }
    const next: MachineScanState = { watermark: last, detectors: Object.fromEntries(FEATURES.map((f) => [f, detectors[f].snapshot()])) };
    await deps.store.set(storeKey, JSON.stringify(next));
  }
  const cleared = await autoClear(
    deps.alerts,
    now,
    deps.quietMs ?? 30 * 60_000,
    deps.machines.map((m) => m.key),
  );
  return { machines: deps.machines.length, samples, raised, cleared };
}
