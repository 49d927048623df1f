// SKAB (Skoltech Anomaly Benchmark): Andon's detectors run over every run in time order, without
// look-ahead, and scored with F1, false-alarm and missed-alarm rates as SKAB's notebooks score them.
// Reads the dataset as it is published.
import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { DETECTOR_V1, type DetectorParams, RobustEwmaDetector } from "#lib/domain/pdm/detector.ts";
import { outlierMetrics } from "#lib/domain/pdm/metrics.ts";
import { T2Q_V1, type T2QParams } from "#lib/domain/pdm/multivariate.ts";
import { T2QDetector } from "#lib/domain/pdm/multivariate-stream.ts";
import { utc } from "./nab-corpus.ts";

export interface SkabReport {
  files: number;
  rows: number;
  f1: number;
  far: number;
  mar: number;
}

const readSkab = (f: string) => {
  const [head, ...lines] = readFileSync(f, "utf8").trim().split(/\r?\n/);
  const cols = (head ?? "").split(";").map((c) => c.trim());
  const sensors = cols.map((c, i) => ({ c, i })).filter((x) => !["datetime", "anomaly", "changepoint"].includes(x.c));
  return { cols, sensors, lines };
};

/** SKAB's labelled runs (the anomaly-free run is not one), group by group, in numeric order. */
function skabRuns(dir: string): { group: string; file: string }[] {
  const root = join(dir, "data");
  return ["valve1", "valve2", "other"].flatMap((group) =>
    readdirSync(join(root, group))
      .filter((f) => f.endsWith(".csv"))
      .sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10))
      .map((f) => ({ group, file: join(root, group, f) })),
  );
}

/** The largest share of rows a vote may flag on SKAB's anomaly-free run (its unscored split). */
export const SKAB_VOTE_MAX_FALSE = 0.05;

/**
 * The vote, chosen on SKAB's anomaly-free run only (never on the scored runs): the smallest number
 * of sensors that must alarm at once for a row to count as anomalous such that at most
 * SKAB_VOTE_MAX_FALSE of that run's rows (after the baseline) would be flagged.
 */
export function calibrateSkabVote(dir: string, params: DetectorParams, say: (m: string) => void = () => undefined): number {
  const { atLeast, rows, sensors } = anomalyFreeRun(dir, params);
  const shares = atLeast.map((c) => c / Math.max(1, rows));
  say(`anomaly-free run: share of rows with at least k sensors alarming: ${shares.map((x, i) => `k=${i + 1} ${x.toFixed(3)}`).join(", ")}`);
  const k = shares.findIndex((x) => x <= SKAB_VOTE_MAX_FALSE) + 1;
  return k > 0 ? k : sensors.length;
}

/**
 * The sensors to use, chosen on SKAB's anomaly-free run only: those whose own detector alarms on at
 * most SKAB_VOTE_MAX_FALSE of that run's rows.
 */
export function calibrateSkabSensors(dir: string, params: DetectorParams, say: (m: string) => void = () => undefined): string[] {
  const { perSensor, rows, sensors } = anomalyFreeRun(dir, params);
  say(
    `anomaly-free run: share of rows each sensor alarms on: ${sensors.map((s, k) => `${s.c} ${((perSensor[k] ?? 0) / Math.max(1, rows)).toFixed(3)}`).join(", ")}`,
  );
  return sensors.filter((_, k) => (perSensor[k] ?? 0) / Math.max(1, rows) <= SKAB_VOTE_MAX_FALSE).map((s) => s.c);
}

function anomalyFreeRun(dir: string, params: DetectorParams) {
  const { sensors, lines } = readSkab(join(dir, "data", "anomaly-free", "anomaly-free.csv"));
  const detectors = sensors.map(() => new RobustEwmaDetector(params));
  const atLeast = sensors.map(() => 0);
  const perSensor = sensors.map(() => 0);
  let rows = 0;
  for (const [row, line] of lines.entries()) {
    const v = line.split(";");
    const ts = utc(v[0] ?? "");
    for (const [k, s] of sensors.entries()) detectors[k]?.update(ts, Number(v[s.i]));
    if (row < params.baselineSize) continue;
    rows++;
    const n = detectors.filter((d) => d.state.alert).length;
    for (let k = 1; k <= n; k++) atLeast[k - 1] = (atLeast[k - 1] ?? 0) + 1;
    for (const [k, d] of detectors.entries()) if (d.state.alert) perSensor[k] = (perSensor[k] ?? 0) + 1;
  }
  return { atLeast, perSensor, rows, sensors };
}

/**
 * SKAB: one detector per sensor; a row is predicted anomalous while at least `vote` of them (default
 * 1: any) have an alert open.
 */
export function evaluateSkab(
  dir: string,
  params: DetectorParams = DETECTOR_V1,
  say: (m: string) => void = () => undefined,
  vote = 1,
  /** only these sensors' alarms count (default: all) */
  only?: readonly string[],
): SkabReport {
  const files = skabRuns(dir).map((r) => r.file);
  const actual: boolean[] = [];
  const predicted: boolean[] = [];
  for (const f of files) {
    const { cols, sensors, lines } = readSkab(f);
    const label = cols.indexOf("anomaly");
    const detectors = sensors.map(() => new RobustEwmaDetector(params));
    for (const [row, line] of lines.entries()) {
      const v = line.split(";");
      const ts = utc(v[0] ?? "");
      for (const [k, s] of sensors.entries()) detectors[k]?.update(ts, Number(v[s.i]));
      // rows before the baseline is learned are not scored (every SKAB run starts anomaly-free)
      if (row < params.baselineSize) continue;
      actual.push(Number(v[label]) === 1);
      predicted.push(detectors.filter((d, k) => d.state.alert && (!only || only.includes(sensors[k]?.c ?? ""))).length >= vote);
    }
  }
  const m = outlierMetrics(actual, predicted);
  say(`SKAB: ${files.length} runs, ${actual.length} scored rows (tp ${m.tp}, fp ${m.fp}, tn ${m.tn}, fn ${m.fn})`);
  return { files: files.length, rows: actual.length, f1: m.f1, far: m.far, mar: m.mar };
}

export interface SkabOutlierFigures {
  rows: number;
  f1: number;
  far: number;
  mar: number;
}

export interface SkabT2QReport extends SkabReport {
  /** f1/far/mar above: every row of every run, the training rows included (SKAB's own notebooks score them so; the detector is still learning there and predicts normal) */
  afterTraining: SkabOutlierFigures;
  groups: Record<string, SkabOutlierFigures & { runs: number; alerts: number; top: { sensor: string; share: number }[] }>;
  alerts: number;
  /** every alert: its run, the rows where it opened and cleared (none: still open at the run's end), the sensors it is about (shares of the positive contributions summed over its rows) */
  alertList: { run: string; open: number; clear?: number; anomalousRows: number; rows: number; top: { sensor: string; share: number }[] }[];
  params: T2QParams;
}

const topShares = (shares: Map<string, number>, n = 3) => {
  const total = [...shares.values()].reduce((a, b) => a + b, 0) || 1;
  return [...shares]
    .map(([sensor, c]) => ({ sensor, share: c / total }))
    .sort((a, b) => b.share - a.share || a.sensor.localeCompare(b.sensor))
    .slice(0, n);
};

/**
 * SKAB with the multivariate detector (lib/domain/pdm/multivariate.ts): one detector per run, fitted
 * on the run's first `trainRows` rows (no labels), then streamed row by row; a row is predicted
 * anomalous while an alert is open. Also which sensors the alerts are about: each alert row's
 * positive contributions as shares, summed per group.
 */
export function evaluateSkabT2Q(dir: string, params: T2QParams = T2Q_V1, say: (m: string) => void = () => undefined): SkabT2QReport {
  const runs = skabRuns(dir);
  const all = { actual: [] as boolean[], predicted: [] as boolean[] };
  const after = { actual: [] as boolean[], predicted: [] as boolean[] };
  const byGroup = new Map<string, { actual: boolean[]; predicted: boolean[]; runs: number; alerts: number; shares: Map<string, number> }>();
  const alertList: SkabT2QReport["alertList"] = [];
  for (const { group, file } of runs) {
    const run = `${group}/${basename(file)}`;
    let current: { open: number; anomalousRows: number; rows: number; shares: Map<string, number> } | undefined;
    const close = (clear?: number) => {
      if (!current) return;
      alertList.push({
        run,
        open: current.open,
        ...(clear === undefined ? {} : { clear }),
        anomalousRows: current.anomalousRows,
        rows: current.rows,
        top: topShares(current.shares),
      });
      current = undefined;
    };
    const { cols, sensors, lines } = readSkab(file);
    const label = cols.indexOf("anomaly");
    const g = byGroup.get(group) ?? { actual: [], predicted: [], runs: 0, alerts: 0, shares: new Map<string, number>() };
    byGroup.set(group, g);
    g.runs++;
    const detector = new T2QDetector(
      sensors.map((s) => s.c),
      params,
    );
    for (const [row, line] of lines.entries()) {
      const v = line.split(";");
      const u = detector.update(sensors.map((s) => Number(v[s.i])));
      const a = Number(v[label]) === 1;
      all.actual.push(a);
      all.predicted.push(u.alert);
      if (row >= params.trainRows) {
        after.actual.push(a);
        after.predicted.push(u.alert);
        g.actual.push(a);
        g.predicted.push(u.alert);
      }
      if (u.event === "open") {
        g.alerts++;
        current = { open: row, anomalousRows: 0, rows: 0, shares: new Map() };
      }
      if (u.event === "clear") close(row);
      if (u.alert && current) {
        const pos = Object.entries(u.contributions).map(([k, c]) => [k, Math.max(0, c)] as const);
        const total = pos.reduce((x, [, c]) => x + c, 0) || 1;
        for (const [k, c] of pos) {
          g.shares.set(k, (g.shares.get(k) ?? 0) + c / total);
          current.shares.set(k, (current.shares.get(k) ?? 0) + c / total);
        }
        current.rows++;
        if (a) current.anomalousRows++;
      }
    }
    close();
  }
  const figures = (x: { actual: boolean[]; predicted: boolean[] }): SkabOutlierFigures => {
    const m = outlierMetrics(x.actual, x.predicted);
    return { rows: x.actual.length, f1: m.f1, far: m.far, mar: m.mar };
  };
  const groups = Object.fromEntries([...byGroup].map(([name, g]) => [name, { ...figures(g), runs: g.runs, alerts: g.alerts, top: topShares(g.shares) }]));
  const m = outlierMetrics(all.actual, all.predicted);
  const alerts = [...byGroup.values()].reduce((a, g) => a + g.alerts, 0);
  say(`SKAB: ${runs.length} runs, ${all.actual.length} rows, all scored (tp ${m.tp}, fp ${m.fp}, tn ${m.tn}, fn ${m.fn}); ${alerts} alerts opened`);
  return { files: runs.length, rows: all.actual.length, f1: m.f1, far: m.far, mar: m.mar, afterTraining: figures(after), groups, alerts, alertList, params };
}
