// andon pdm evaluate --dataset DIR --format nab|skab: the production detector on a public benchmark.
import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { DETECTORS } from "../../lib/domain/pdm/detector.ts";
import { NOVELTY_ALERT_V2, NOVELTY_V2 } from "../../lib/domain/pdm/novelty.ts";
import {
  calibrateSkabSensors,
  calibrateSkabVote,
  evaluateNab,
  evaluateNabNovelty,
  evaluateNabScores,
  evaluateSkab,
  SKAB_VOTE_MAX_FALSE,
} from "../../lib/pdm/evaluate.ts";

const usage = (m: string) =>
  Object.assign(
    new Error(
      `${m}\nusage: andon pdm evaluate --dataset DIR --format nab|skab [--detector novelty|v1|v2|v3|v4] [--files even|odd] [--vote | --quiet-sensors] [--scores DIR]`,
    ),
    {
      name: "UsageError",
    },
  );
const f2 = (x: number) => x.toFixed(2);

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
      files: { type: "string" },
    },
  });
  // NAB's default is the novelty detector (lib/domain/pdm/novelty.ts); SKAB's the robust EWMA v4
  const novelty = values.format === "nab" && (values.detector ?? "novelty") === "novelty";
  const params = DETECTORS[novelty ? "v4" : (values.detector ?? "v4")];
  if (!params) throw usage(`--detector must be one of novelty (NAB only), ${Object.keys(DETECTORS).join(", ")}`);
  if (values.files !== undefined && (!novelty || !["even", "odd"].includes(values.files))) {
    throw usage("--files even|odd: only with --format nab and the novelty detector (the files of even or odd index in the sorted corpus)");
  }
  if (!values.dataset || !existsSync(values.dataset)) throw usage(`--dataset: no such folder ${values.dataset ?? "(missing)"}`);
  if (values.scores !== undefined && (values.format !== "nab" || !existsSync(values.scores))) {
    throw usage(`--scores: ${values.format !== "nab" ? "only with --format nab" : `no such folder ${values.scores}`}`);
  }
  const say = (m: string) => console.log(`[pdm] ${m}`);
  if (!values.scores)
    say(
      novelty
        ? `detector ${NOVELTY_V2.version}: ${JSON.stringify(NOVELTY_V2)}; alert ${JSON.stringify(NOVELTY_ALERT_V2)}`
        : `detector ${params.version}: ${JSON.stringify(params)}`,
    );
  if (values.format === "nab") {
    const half = values.files === "even" ? 0 : 1;
    const r = values.scores
      ? evaluateNabScores(values.dataset, values.scores, say)
      : novelty
        ? evaluateNabNovelty(values.dataset, NOVELTY_V2, say, NOVELTY_ALERT_V2, values.files ? (i) => i % 2 === half : undefined)
        : evaluateNab(values.dataset, params, say);
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
    return;
  }
  if (values.format === "skab") {
    let vote = 1;
    if (values.vote) {
      vote = calibrateSkabVote(values.dataset, params, say);
      say(
        `--vote: a row is anomalous while at least ${vote} sensors alarm (the smallest k flagging at most ${SKAB_VOTE_MAX_FALSE * 100} % of the anomaly-free run)`,
      );
    }
    let only: string[] | undefined;
    if (values["quiet-sensors"]) {
      only = calibrateSkabSensors(values.dataset, params, say);
      say(`--quiet-sensors: only ${only.join(", ")} (each alarms on at most ${SKAB_VOTE_MAX_FALSE * 100} % of the anomaly-free run)`);
    }
    const r = evaluateSkab(values.dataset, params, say, vote, only);
    console.log(`skab f1=${f2(r.f1)} far=${f2(r.far)} mar=${f2(r.mar)}`);
    return;
  }
  throw usage("--format must be nab or skab");
}
