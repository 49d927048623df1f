// The one scan loop of predictive maintenance, parameterised by its source (vibration features in
// scan.ts, waveform snapshots in waveform-scan.ts). Machine by machine: read what arrived since the
// machine's watermark, feed it to the source's detectors (learning and scoring only while the
// machine produces), raise the alerts they signal, then store the detectors and the new watermark
// as one JSON value. The value is written after the machine's rows are processed, so a scan that is
// repeated or redelivered starts again from the same place and raises the same alerts (raising an
// active alert only updates it). Alerts of the scanned machines not seen for the quiet time clear.

import type pg from "pg";
import type { MachineInfo } from "#lib/adapters/db/plant.ts";
import { type AlertSignal, QUIET_MS } from "#lib/domain/pdm/alert-rules.ts";
import type { DetectorSnapshot } from "#lib/domain/pdm/detector.ts";
import { type AlertDeps, autoClear, raiseAlert } from "./alerts.ts";
import { runningCursor } from "./running.ts";

/** Where each machine's detectors and watermark are kept between scans (Redis). */
export interface ScanStore {
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<unknown>;
}

export type SavedDetectors<F extends string> = Partial<Record<F, DetectorSnapshot>>;

/** A source of rows (each with its timestamp) and the detectors that watch them. */
export interface ScanSource<Row extends { ts: number }, F extends string> {
  /** the middle of the store key: `<prefix>:<name>:<machine key>` */
  name: string;
  watches(m: MachineInfo): boolean;
  /** the machine's rows in (since, until], oldest first */
  read(pool: pg.Pool, m: MachineInfo, since: number, until: number): Promise<Row[]>;
  /** feeds the rows (at least one) to the machine's detectors restored from `saved` */
  evaluate(m: MachineInfo, saved: SavedDetectors<F>, rows: readonly Row[], runningAt: (ts: number) => boolean): Evaluation<F>;
}

export interface Evaluation<F extends string> {
  /** the alerts to raise, in order */
  signals: AlertSignal[];
  detectors: Record<F, DetectorSnapshot>;
  /** rows the detectors used, and rows they could not (a bad snapshot) */
  used: number;
  skipped: number;
}

export interface WatermarkScanDeps {
  pool: pg.Pool;
  machines: readonly MachineInfo[];
  store: ScanStore;
  keyPrefix: string;
  alerts: AlertDeps;
  /** alerts whose condition has not come back for this long are cleared */
  quietMs?: number;
  now?: number;
}

export interface WatermarkScanResult {
  machines: number;
  used: number;
  skipped: number;
  raised: number;
  cleared: number;
}

interface MachineScanState<F extends string> {
  watermark: number;
  detectors: SavedDetectors<F>;
}

export const scanStateKey = (prefix: string, source: string, machineKey: string) => `${prefix}:${source}:${machineKey}`;

export async function watermarkScan<Row extends { ts: number }, F extends string>(
  source: ScanSource<Row, F>,
  deps: WatermarkScanDeps,
): Promise<WatermarkScanResult> {
  const now = deps.now ?? Date.now();
  const machines = deps.machines.filter((m) => source.watches(m));
  const total = { used: 0, skipped: 0, raised: 0 };
  for (const m of machines) {
    const storeKey = scanStateKey(deps.keyPrefix, source.name, m.key);
    const saved = await deps.store.get(storeKey);
    const state: MachineScanState<F> = saved ? (JSON.parse(saved) as MachineScanState<F>) : { watermark: 0, detectors: {} };
    const rows = await source.read(deps.pool, m, state.watermark, now);
    const first = rows[0];
    const last = rows[rows.length - 1];
    if (!first || !last) continue;
    const runningAt = await runningCursor(deps.pool, m, first.ts, last.ts);
    const out = source.evaluate(m, state.detectors, rows, runningAt);
    total.used += out.used;
    total.skipped += out.skipped;
    for (const s of out.signals) {
      await raiseAlert(deps.alerts, s);
      total.raised++;
    }
    const next: MachineScanState<F> = { watermark: last.ts, detectors: out.detectors };
    await deps.store.set(storeKey, JSON.stringify(next));
  }
  const cleared = await autoClear(
    deps.alerts,
    now,
    deps.quietMs ?? QUIET_MS,
    machines.map((m) => m.key),
  );
  return { machines: machines.length, ...total, cleared };
}
