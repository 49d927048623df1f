// Streams public anomaly benchmarks through the production detector (lib/domain/pdm), in time order
// and without look-ahead, and scores it: NAB with its own scoring rules, SKAB with F1, false-alarm
// and missed-alarm rates. Reads the datasets as they are published.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { DETECTOR_V1, type DetectorParams, RobustEwmaDetector } from "../domain/pdm/detector.ts";
import { outlierMetrics } from "../domain/pdm/metrics.ts";
import { type NabFile, normalizedScore, PROFILES, probationLength } from "../domain/pdm/nab.ts";

const utc = (s: string) =>
  Date.parse(
    `${s
      .trim()
      .replace(" ", "T")
      .replace(/\.\d+$/, "")}Z`,
  );

export interface NabReport {
  files: number;
  windows: number;
  scores: Record<keyof typeof PROFILES, number>;
  anchors: Record<keyof typeof PROFILES, { null: number; windowStarts: number }>;
  machineTemperature: Record<keyof typeof PROFILES, number>;
  detections: number;
}

export function evaluateNab(dir: string, params: DetectorParams = DETECTOR_V1, say: (m: string) => void = () => undefined): NabReport {
  const windows = JSON.parse(readFileSync(join(dir, "labels", "combined_windows.json"), "utf8")) as Record<string, [string, string][]>;
  const runs: { name: string; file: NabFile; detections: number[] }[] = [];
  for (const name of Object.keys(windows).sort()) {
    const lines = readFileSync(join(dir, "data", name), "utf8")
      .trim()
      .split(/\r?\n/)
      .slice(1);
    const ts = lines.map((l) => utc(l.slice(0, l.indexOf(","))));
    const values = lines.map((l) => Number(l.slice(l.indexOf(",") + 1)));
    const file: NabFile = {
      rows: lines.length,
      windows: (windows[name] ?? []).map(([a, b]) => {
        const left = ts.findIndex((t) => t >= utc(a));
        const right = ts.findLastIndex((t) => t <= utc(b));
        return { left, right };
      }),
    };
    const d = new RobustEwmaDetector(params);
    const detections: number[] = [];
    values.forEach((v, i) => {
      if (d.update(ts[i] as number, v)?.kind === "open") detections.push(i);
    });
    runs.push({ name, file, detections });
  }
  say(
    `NAB: ${runs.length} files, ${runs.reduce((a, r) => a + r.file.windows.length, 0)} windows, ${runs.reduce((a, r) => a + r.detections.length, 0)} alerts opened`,
  );
  const profiles = Object.keys(PROFILES) as (keyof typeof PROFILES)[];
  const score = (rs: typeof runs) => Object.fromEntries(profiles.map((p) => [p, normalizedScore(rs, PROFILES[p])])) as Record<keyof typeof PROFILES, number>;
  const anchors = Object.fromEntries(
    profiles.map((p) => [
      p,
      {
        null: normalizedScore(
          runs.map((r) => ({ file: r.file, detections: [] })),
          PROFILES[p],
        ),
        windowStarts: normalizedScore(
          runs.map((r) => ({ file: r.file, detections: r.file.windows.map((w) => Math.max(w.left, probationLength(r.file.rows))) })),
          PROFILES[p],
        ),
      },
    ]),
  ) as NabReport["anchors"];
  const machine = runs.filter((r) => r.name === "realKnownCause/machine_temperature_system_failure.csv");
  return {
    files: runs.length,
    windows: runs.reduce((a, r) => a + r.file.windows.length, 0),
    scores: score(runs),
    anchors,
    machineTemperature: score(machine),
    detections: runs.reduce((a, r) => a + r.detections.length, 0),
  };
}

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
  const root = join(dir, "data");
  const files = ["valve1", "valve2", "other"].flatMap((g) =>
    readdirSync(join(root, g))
      .filter((f) => f.endsWith(".csv"))
      .sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10))
      .map((f) => join(root, g, f)),
  );
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
