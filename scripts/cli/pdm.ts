// andon pdm evaluate --dataset DIR --format nab|skab: Andon's detectors on a public benchmark, scored
// the way its scoreboard is (lib/features/pdm/evaluate*.ts). NAB: the novelty detector by default;
// SKAB: the multivariate T²+SPE detector by default; the per-sensor robust EWMA (v1..v4) stays selectable.
import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { CONTEXT_ALERT_V1, CONTEXT_V1, ContextDetector } from "#lib/domain/pdm/context.ts";
import { DETECTORS } from "#lib/domain/pdm/detector.ts";
import { DWELL_ALERT_V1, DWELL_ALERT_V2, DWELL_V1, DWELL_V2, DwellDetector } from "#lib/domain/pdm/dwell.ts";
import { NOVELTY_ALERT_V2, NOVELTY_V2 } from "#lib/domain/pdm/novelty.ts";
import { NOVELTY_BAG_ALERT_V1, NOVELTY_BAG_V1, NoveltyBagDetector } from "#lib/domain/pdm/novelty-bag.ts";
import { RESONANCE_ALERT_V1, RESONANCE_V1, ResonanceDetector } from "#lib/domain/pdm/resonance.ts";
import { SHAPE_ALERT_V1, SHAPE_V1, SHAPE_V2, ShapeDetector } from "#lib/domain/pdm/shape.ts";
import { evaluateNab, evaluateNabNovelty, evaluateNabScores, evaluateNabStream, type NabReport } from "#lib/features/pdm/evaluate.ts";
import { nabNeighbourhood } from "#lib/features/pdm/nab-neighbourhood.ts";
import { f2, runSkab, type Say } from "./pdm-skab.ts";

const usage = (m: string) =>
  Object.assign(
    new Error(
      `${m}\nusage: andon pdm evaluate --dataset DIR --format nab|skab [--detector novelty|shape|shape1|dwell|dwell2|bag|context|resonance|t2q|v1|v2|v3|v4] [--files even|odd] [--neighbours N [--seed S]] [--vote | --quiet-sensors] [--scores DIR] [--alerts]`,
    ),
    { name: "UsageError" },
  );

export async function run(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub !== "evaluate") throw usage(`unknown pdm command "${sub ?? ""}"`);
  const { values } = parseArgs({
    args: rest,
    options: {
      dataset: { type: "string" },
      format: { type: "string" },
      detector: { type: "string" },
      vote: { type: "boolean" },
      "quiet-sensors": { type: "boolean" },
      scores: { type: "string" },
      alerts: { type: "boolean" },
      files: { type: "string" },
      neighbours: { type: "string" },
      seed: { type: "string" },
    },
  });
  if (!values.dataset || !existsSync(values.dataset)) throw usage(`--dataset: no such folder ${values.dataset ?? "(missing)"}`);
  if (values.scores !== undefined && (values.format !== "nab" || !existsSync(values.scores))) {
    throw usage(`--scores: ${values.format !== "nab" ? "only with --format nab" : `no such folder ${values.scores}`}`);
  }
  const say: Say = (m) => console.log(`[pdm] ${m}`);
  if (values.format === "nab") {
    const detector = values.detector ?? "novelty";
    const params = DETECTORS[detector];
    const grading = ["novelty", "shape", "shape1", "dwell", "dwell2", "bag", "context", "resonance"].includes(detector);
    if (!grading && !params)
      throw usage(`--detector for NAB: novelty, shape, shape1, dwell, dwell2, bag, context, resonance, ${Object.keys(DETECTORS).join(", ")}`);
    if (values.files !== undefined && (!grading || !["even", "odd"].includes(values.files))) {
      throw usage(
        "--files even|odd: only with --format nab and the novelty, shape, shape1, dwell, dwell2, bag, context or resonance detector (the files of even or odd index in the sorted corpus)",
      );
    }
    if ((values.neighbours !== undefined || values.seed !== undefined) && (detector !== "novelty" || values.scores || values.neighbours === undefined)) {
      throw usage("--neighbours N [--seed S]: only with --format nab and the novelty detector");
    }
    const draws = values.neighbours === undefined ? undefined : neighbourCount(values.neighbours, values.seed);
    let r: NabReport;
    const half = values.files === "even" ? 0 : 1;
    const only = values.files ? (i: number) => i % 2 === half : undefined;
    if (values.scores) r = evaluateNabScores(values.dataset, values.scores, say);
    else if (detector === "bag") {
      const members = NOVELTY_BAG_V1.members.map((m) => ({
        radii: m.views.map((v) => v.radius),
        weight: m.views[0]?.weights[0],
        gain: m.gain,
        memory: m.memory,
      }));
      say(
        `detector ${NOVELTY_BAG_V1.version}: members ${JSON.stringify(members)}; rest ${JSON.stringify(NOVELTY_BAG_V1.rest)}; alert ${JSON.stringify(NOVELTY_BAG_ALERT_V1)}`,
      );
      r = evaluateNabStream(values.dataset, (learn) => new NoveltyBagDetector(NOVELTY_BAG_V1, learn), say, NOVELTY_BAG_ALERT_V1, only);
    } else if (detector === "context") {
      say(`detector ${CONTEXT_V1.version}: ${JSON.stringify(CONTEXT_V1)}; alert ${JSON.stringify(CONTEXT_ALERT_V1)}`);
      r = evaluateNabStream(values.dataset, (learn) => new ContextDetector(CONTEXT_V1, learn), say, CONTEXT_ALERT_V1, only);
    } else if (detector === "resonance") {
      say(`detector ${RESONANCE_V1.version}: ${JSON.stringify(RESONANCE_V1)}; alert ${JSON.stringify(RESONANCE_ALERT_V1)}`);
      r = evaluateNabStream(values.dataset, (learn) => new ResonanceDetector(RESONANCE_V1, learn), say, RESONANCE_ALERT_V1, only);
    } else if (detector === "shape" || detector === "shape1") {
      const p = detector === "shape" ? SHAPE_V2 : SHAPE_V1;
      say(`detector ${p.version}: ${JSON.stringify({ ...p, novelty: p.novelty.version })}; alert ${JSON.stringify(SHAPE_ALERT_V1)}`);
      r = evaluateNabStream(values.dataset, (learn) => new ShapeDetector(p, learn), say, SHAPE_ALERT_V1, only);
    } else if (detector === "dwell" || detector === "dwell2") {
      const [p, a] = detector === "dwell" ? [DWELL_V1, DWELL_ALERT_V1] : [DWELL_V2, DWELL_ALERT_V2];
      say(`detector ${p.version}: ${JSON.stringify({ ...p, novelty: p.novelty.version })}; alert ${JSON.stringify(a)}`);
      r = evaluateNabStream(values.dataset, (learn) => new DwellDetector(p, learn), say, a, only);
    } else if (params) {
      say(`detector ${params.version}: ${JSON.stringify(params)}`);
      r = evaluateNab(values.dataset, params, say);
    } else {
      say(`detector ${NOVELTY_V2.version}: ${JSON.stringify(NOVELTY_V2)}; alert ${JSON.stringify(NOVELTY_ALERT_V2)}`);
      r = evaluateNabNovelty(values.dataset, NOVELTY_V2, say, NOVELTY_ALERT_V2, only);
      if (draws) neighbourhood(values.dataset, draws, only, r, say);
    }
    printNab(r, say);
    return;
  }
  if (values.format === "skab") {
    if (values.files !== undefined || values.neighbours !== undefined || values.seed !== undefined) {
      throw usage("--files, --neighbours, --seed: only with --format nab");
    }
    runSkab(values.dataset, { detector: values.detector ?? "t2q", vote: values.vote, quiet: values["quiet-sensors"], alerts: values.alerts }, say, usage);
    return;
  }
  throw usage("--format must be nab or skab");
}

/** --neighbours N [--seed S], checked before anything is scored. */
function neighbourCount(n: string, seed: string | undefined): { count: number; seed: number } {
  const count = Number(n);
  const s = seed === undefined ? 1 : Number(seed);
  if (!Number.isInteger(count) || count < 2 || count > 500) throw usage(`--neighbours: a whole number from 2 to 500, not ${n}`);
  if (!Number.isInteger(s) || s < 1) throw usage(`--seed: a whole number ≥ 1, not ${seed}`);
  return { count, seed: s };
}

/** Places the frozen set among N random neighbours on the same files (an overfitting check). */
function neighbourhood(dir: string, draws: { count: number; seed: number }, only: ((i: number) => boolean) | undefined, r: NabReport, say: Say): void {
  const { count, seed } = draws;
  const xs = nabNeighbourhood(dir, NOVELTY_V2, count, seed, only, say).map((x) => x.profiles.standard.scoreboard.normalized);
  const mean = xs.reduce((a, b) => a + b, 0) / count;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (count - 1));
  const frozen = r.profiles.standard.scoreboard.normalized;
  say(
    `neighbourhood of ${NOVELTY_V2.version} (${count} random neighbours, seed ${seed}): standard mean ${f2(mean)} sd ${f2(sd)} min ${f2(Math.min(...xs))} max ${f2(Math.max(...xs))}` +
      `; the frozen set ${f2(frozen)} (${f2((frozen - mean) / (sd || 1))} sd above the mean, above ${xs.filter((x) => x < frozen).length} of ${count})`,
  );
}

function printNab(r: NabReport, say: Say): void {
  for (const [p, a] of Object.entries(r.anchors))
    say(`scorer check (${p}): null detector ${f2(a.null)}, detections at every window start ${f2(a.windowStarts)}`);
  for (const [p, x] of Object.entries(r.profiles)) {
    say(
      `${p}: ${f2(x.scoreboard.normalized)} at threshold ${x.scoreboard.threshold.toPrecision(6)} (NAB's optimiser)` +
        `; best of all thresholds ${f2(x.optimum.normalized)} at ${x.optimum.threshold.toPrecision(6)}` +
        (x.published ? `; at NAB's published threshold ${x.published.threshold.toPrecision(6)}: ${f2(x.published.normalized)}` : ""),
    );
  }
  const m = r.machineTemperature;
  if (m)
    say(
      `realKnownCause/machine_temperature_system_failure.csv alone: standard=${f2(m.standard)} low_fp=${f2(m.reward_low_FP_rate)} low_fn=${f2(m.reward_low_FN_rate)}`,
    );
  if (r.production)
    say(
      `production (a detection = an alert opening): standard=${f2(r.production.standard)} low_fp=${f2(r.production.reward_low_FP_rate)} low_fn=${f2(r.production.reward_low_FN_rate)}`,
    );
  const s = r.profiles;
  console.log(
    `nab standard=${f2(s.standard.scoreboard.normalized)} low_fp=${f2(s.reward_low_FP_rate.scoreboard.normalized)} low_fn=${f2(s.reward_low_FN_rate.scoreboard.normalized)}` +
      (r.production ? ` production_standard=${f2(r.production.standard)}` : ""),
  );
}
