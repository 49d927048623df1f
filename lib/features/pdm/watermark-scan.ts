// The one scan loop of predictive maintenance, parameterised by its source (vibration features in
// scan.ts, waveform snapshots in waveform-scan.ts). Machine by machine: read what arrived since the
// machine's watermark, feed it to the source's detectors (learning and scoring only while the
// machine produces), raise the alerts they signal, then store the detectors and the new watermark
// as one JSON value. The value is written after the machine's rows are processed, so a scan that is
// repeated or redelivered starts again from the same place and raises the same alerts (raising an
// active alert only updates it). Alerts of the scanned machines not seen while the machine produced
// for the quiet time clear (a stopped machine keeps its alerts).

import type pg from "pg";
import type { MachineInfo } from "#lib/adapters/db/plant.ts";
import { type AlertSignal, QUIET_MS, type RunningMs } from "#lib/domain/pdm/alert-rules.ts";
import type { DetectorSnapshot } from "#lib/domain/pdm/detector.ts";
import { type AlertDeps, autoClear, raiseAlert } from "./alerts.ts";
import { runningCursor, runningMs } from "./running.ts";

/** Where each machine's detectors and watermark are kept between scans (Redis). */
export interface ScanStore {
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<unknown>;
}

export type SavedDetectors<F extends string> = Partial<Record<F, DetectorSnapshot>>;

/** A source of rows (each with its timestamp) and the detectors that watch them; S: the detectors' saved state (JSON). */
export interface ScanSource<Row extends { ts: number }, S> {
  /** the middle of the store key: `<prefix>:<name>:<machine key>` */
  name: string;
  watches(m: MachineInfo): boolean;
  /** the machine's rows in (since, until], oldest first */
  read(pool: pg.Pool, m: MachineInfo, since: number, until: number): Promise<Row[]>;
  /** feeds the rows (at least one) to the machine's detectors restored from `saved` (undefined: none yet) */
  evaluate(m: MachineInfo, saved: S | undefined, rows: readonly Row[], runningAt: (ts: number) => boolean): Evaluation<S>;
}

export interface Evaluation<S> {
  /** the alerts to raise, in order */
  signals: AlertSignal[];
  detectors: S;
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
  /** alerts opened, escalated or reopened */
  raised: number;
  /** signals of a condition already active (its last seen and value updated) */
  updated: number;
  cleared: number;
}

interface MachineScanState<S> {
  watermark: number;
  detectors?: S;
}

export const scanStateKey = (prefix: string, source: string, machineKey: string) => `${prefix}:${source}:${machineKey}`;

/**
 * What the scan loop reads and writes. Production binds it to QuestDB, PostgreSQL and Redis
 * (watermarkScan); the run-to-failure harness (lib/dev/run-to-failure.ts) to the simulator's messages and an
 * in-memory alert book, so both run this same loop.
 */
export interface ScanIo<Row> {
  store: ScanStore;
  read(m: MachineInfo, since: number, until: number): Promise<Row[]>;
  runningAt(m: MachineInfo, first: number, last: number): Promise<(ts: number) => boolean>;
  /** what the signal did to the alerts: "updated" when its condition was already active */
  raise(s: AlertSignal): Promise<string>;
  autoClear(now: number, quietMs: number, machineKeys: readonly string[]): Promise<number>;
}

export async function watermarkScan<Row extends { ts: number }, S>(source: ScanSource<Row, S>, deps: WatermarkScanDeps): Promise<WatermarkScanResult> {
  return scanLoop(
    source,
    {
      store: deps.store,
      read: (m, since, until) => source.read(deps.pool, m, since, until),
      runningAt: (m, first, last) => runningCursor(deps.pool, m, first, last),
      raise: async (s) => (await raiseAlert(deps.alerts, s)).change,
      autoClear: (now, quietMs, keys) => autoClear(deps.alerts, now, quietMs, keys, producedSince(deps.pool, deps.machines, now)),
    },
    {
      machines: deps.machines,
      keyPrefix: deps.keyPrefix,
      ...(deps.quietMs !== undefined ? { quietMs: deps.quietMs } : {}),
      ...(deps.now !== undefined ? { now: deps.now } : {}),
    },
  );
}

/** The producing time of a machine (by key) from a time until now; unknown machines never produced. */
function producedSince(pool: pg.Pool, machines: readonly MachineInfo[], now: number): RunningMs {
  const byKey = new Map<string, MachineInfo>(machines.map((m) => [m.key, m]));
  return async (key, since) => {
    const m = byKey.get(key);
    return m ? runningMs(pool, m, since, now) : 0;
  };
}

/** One scan of the machines the source watches: see the top of this file. */
export async function scanLoop<Row extends { ts: number }, S>(
  source: ScanSource<Row, S>,
  io: ScanIo<Row>,
  o: { machines: readonly MachineInfo[]; keyPrefix: string; quietMs?: number; now?: number },
): Promise<WatermarkScanResult> {
  const now = o.now ?? Date.now();
  const machines = o.machines.filter((m) => source.watches(m));
  const total = { used: 0, skipped: 0, raised: 0, updated: 0 };
  for (const m of machines) {
    const storeKey = scanStateKey(o.keyPrefix, source.name, m.key);
    const saved = await io.store.get(storeKey);
    const state: MachineScanState<S> = saved ? (JSON.parse(saved) as MachineScanState<S>) : { watermark: 0 };
    const rows = await io.read(m, state.watermark, now);
    const first = rows[0];
    const last = rows[rows.length - 1];
    if (!first || !last) continue;
    const runningAt = await io.runningAt(m, first.ts, last.ts);
    const out = source.evaluate(m, state.detectors, rows, runningAt);
    total.used += out.used;
    total.skipped += out.skipped;
    for (const s of out.signals) {
      if ((await io.raise(s)) === "updated") total.updated++;
      else total.raised++;
    }
    const next: MachineScanState<S> = { watermark: last.ts, detectors: out.detectors };
    await io.store.set(storeKey, JSON.stringify(next));
  }
  const cleared = await io.autoClear(
    now,
    o.quietMs ?? QUIET_MS,
    machines.map((m) => m.key),
  );
  return { machines: machines.length, ...total, cleared };
}
