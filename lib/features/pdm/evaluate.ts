import { DETECTOR_V1, type DetectorParams, RobustEwmaDetector } from "#lib/domain/pdm/detector.ts";
import {
  type NabFile,
  normalize,
  normalizedScore,
  optimizeThreshold,
  PROFILES,
  probationLength,
  rawAt,
  scoreboardScore,
  sweepCurve,
} from "#lib/domain/pdm/nab.ts";
import { NOVELTY_ALERT_V2, NOVELTY_V2, NoveltyAlert, type NoveltyAlertParams, NoveltyDetector, type NoveltyParams } from "#lib/domain/pdm/novelty.ts";
import { loadNabCorpus, loadNabScores, type NabSeries, publishedThresholds } from "./nab-corpus.ts";

export type Profile = keyof typeof PROFILES;
export const NAB_PROFILES = Object.keys(PROFILES) as Profile[];

export interface NabProfileScore {
  /** NAB's optimiser on the per-row scores (what every scoreboard entry reports). */
  scoreboard: { threshold: number; normalized: number };
  /** The best threshold of all (NAB's local search can stop short of it). */
  optimum: { threshold: number; normalized: number };
  /** At the thresholds published beside the scores (nab/published/thresholds.json), when there are some. */
  published?: { threshold: number; normalized: number };
}

export interface NabReport {
  files: number;
  windows: number;
  profiles: Record<Profile, NabProfileScore>;
  /** Andon's detector only: the score of its alerts as they open in production (a detection = an alert opening). */
  production?: Record<Profile, number>;
  detections?: number;
  /** The scorer's own anchors on this corpus: the null detector scores 0, detections at every window start 100. */
  anchors: Record<Profile, { null: number; windowStarts: number }>;
  /** Andon's detector only: the industrial file alone (production figure). */
  machineTemperature?: Record<Profile, number>;
}

function anchorsOf(corpus: readonly NabSeries[]): NabReport["anchors"] {
  return Object.fromEntries(
    NAB_PROFILES.map((p) => [
      p,
      {
        null: normalizedScore(
          corpus.map((s) => ({ file: s.file, detections: [] })),
          PROFILES[p],
        ),
        windowStarts: normalizedScore(
          corpus.map((s) => ({ file: s.file, detections: s.file.windows.map((w) => Math.max(w.left, probationLength(s.file.rows))) })),
          PROFILES[p],
        ),
      },
    ]),
  ) as NabReport["anchors"];
}

/** Scores per-row anomaly scores (any detector's) on the corpus, the way NAB's scoreboard does. */
export function scoreNab(corpus: readonly NabSeries[], scores: Map<string, ArrayLike<number>>, published?: Record<string, number>): NabReport {
  const files = corpus.map((s) => ({ file: s.file, scores: scores.get(s.name) as ArrayLike<number> }));
  const profiles = Object.fromEntries(
    NAB_PROFILES.map((p) => {
      const curve = sweepCurve(files, PROFILES[p]);
      const sb = scoreboardScore(curve);
      const opt = optimizeThreshold(curve);
      const t = published?.[p];
      return [
        p,
        {
          scoreboard: { threshold: sb.threshold, normalized: sb.normalized },
          optimum: { threshold: opt.threshold, normalized: opt.normalized },
          ...(t === undefined ? {} : { published: { threshold: t, normalized: normalize(curve, rawAt(curve, t)) } }),
        },
      ];
    }),
  ) as Record<Profile, NabProfileScore>;
  return { files: corpus.length, windows: corpus.reduce((a, s) => a + s.file.windows.length, 0), profiles, anchors: anchorsOf(corpus) };
}

/**
 * Andon's detector streamed over the corpus in time order, without look-ahead. Its per-row score is
 * 1 where an alert opens and 0 elsewhere (the robust-EWMA detectors decide, they do not grade), so the
 * scoreboard figure and the production figure coincide for them.
 */
export function evaluateNab(dir: string, params: DetectorParams = DETECTOR_V1, say: (m: string) => void = () => undefined): NabReport {
  const corpus = loadNabCorpus(dir);
  const scores = new Map<string, Float64Array>();
  const runs: { file: NabFile; detections: number[] }[] = [];
  for (const s of corpus) {
    const d = new RobustEwmaDetector(params);
    const row = new Float64Array(s.file.rows);
    const detections: number[] = [];
    s.values.forEach((v, i) => {
      if (d.update(s.ts[i] as number, v)?.kind === "open") {
        detections.push(i);
        row[i] = 1;
      }
    });
    scores.set(s.name, row);
    runs.push({ file: s.file, detections });
  }
  const detections = runs.reduce((a, r) => a + r.detections.length, 0);
  say(`NAB: ${corpus.length} files, ${corpus.reduce((a, s) => a + s.file.windows.length, 0)} windows, ${detections} alerts opened`);
  const production = Object.fromEntries(NAB_PROFILES.map((p) => [p, normalizedScore(runs, PROFILES[p])])) as Record<Profile, number>;
  const machine = runs.filter((_, k) => corpus[k]?.name === "realKnownCause/machine_temperature_system_failure.csv");
  const machineTemperature = Object.fromEntries(NAB_PROFILES.map((p) => [p, normalizedScore(machine, PROFILES[p])])) as Record<Profile, number>;
  return { ...scoreNab(corpus, scores), production, detections, machineTemperature };
}

/**
 * The novelty detector (lib/domain/pdm/novelty.ts) streamed over the corpus in time order, without
 * look-ahead, learning during each file's probation (what NAB hands every detector). Its continuous
 * score is scored like every scoreboard entry; its production figure counts the rows where an alert
 * opens (NoveltyAlert: a fixed threshold with hysteresis, chosen before the full corpus was scored).
 * `only` restricts the corpus (e.g. to the even- or odd-indexed files of the sorted list).
 */
export function evaluateNabNovelty(
  dir: string,
  params: NoveltyParams = NOVELTY_V2,
  say: (m: string) => void = () => undefined,
  alert: NoveltyAlertParams = NOVELTY_ALERT_V2,
  only?: (index: number) => boolean,
): NabReport & { seconds: number } {
  return evaluateNabStream(dir, (learn) => new NoveltyDetector(params, learn), say, alert, only);
}

/** A grading detector of one series: `update` returns the score of each sample in [0, 1], causally. */
export interface StreamingDetector {
  update(ts: number, value: number): number;
}

/**
 * Any grading detector streamed over the corpus in time order, without look-ahead; `make(learn)`
 * builds one per file, `learn` being the file's probation (what NAB hands every detector).
 */
export function evaluateNabStream(
  dir: string,
  make: (learn: number) => StreamingDetector,
  say: (m: string) => void = () => undefined,
  alert: NoveltyAlertParams = NOVELTY_ALERT_V2,
  only?: (index: number) => boolean,
): NabReport & { seconds: number } {
  const corpus = loadNabCorpus(dir).filter((_, i) => !only || only(i));
  const scores = new Map<string, Float64Array>();
  const runs: { file: NabFile; detections: number[] }[] = [];
  const started = performance.now();
  const cpu = process.cpuUsage();
  for (const s of corpus) {
    const d = make(probationLength(s.file.rows));
    const a = new NoveltyAlert(alert);
    const row = new Float64Array(s.file.rows);
    const detections: number[] = [];
    s.values.forEach((v, i) => {
      row[i] = d.update(s.ts[i] as number, v);
      if (a.update(row[i] as number) === "open") detections.push(i);
    });
    scores.set(s.name, row);
    runs.push({ file: s.file, detections });
  }
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const detections = runs.reduce((a, r) => a + r.detections.length, 0);
  say(
    `NAB: ${corpus.length} files, ${corpus.reduce((a, s) => a + s.file.windows.length, 0)} windows, scored in ${seconds.toFixed(1)} s (CPU ${((used.user + used.system) / 1e6).toFixed(1)} s); ${detections} alerts opened at ${alert.open}`,
  );
  const production = Object.fromEntries(NAB_PROFILES.map((p) => [p, normalizedScore(runs, PROFILES[p])])) as Record<Profile, number>;
  const machine = runs.filter((_, k) => corpus[k]?.name === "realKnownCause/machine_temperature_system_failure.csv");
  const machineTemperature = machine.length
    ? (Object.fromEntries(NAB_PROFILES.map((p) => [p, normalizedScore(machine, PROFILES[p])])) as Record<Profile, number>)
    : undefined;
  return { ...scoreNab(corpus, scores), production, detections, ...(machineTemperature ? { machineTemperature } : {}), seconds };
}

/** Someone else's per-row scores (`--scores DIR`), e.g. NAB's published HTM and windowed Gaussian. */
export function evaluateNabScores(dir: string, scoresDir: string, say: (m: string) => void = () => undefined): NabReport {
  const corpus = loadNabCorpus(dir);
  const scores = loadNabScores(scoresDir, corpus);
  const published = publishedThresholds(scoresDir);
  say(`NAB: ${corpus.length} files, scores from ${scoresDir}${published ? " (with NAB's published thresholds)" : ""}`);
  return scoreNab(corpus, scores, published);
}
