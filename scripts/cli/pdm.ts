// andon pdm evaluate --dataset DIR --format nab|skab: the production detector on a public benchmark.
import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { DETECTORS } from "#lib/domain/pdm/detector.ts";
import { T2Q_V1 } from "#lib/domain/pdm/multivariate.ts";
import {
  calibrateSkabSensors,
  calibrateSkabVote,
  evaluateNab,
  evaluateNabScores,
  evaluateSkab,
  evaluateSkabT2Q,
  SKAB_VOTE_MAX_FALSE,
} from "#lib/features/pdm/evaluate.ts";

const usage = (m: string) =>
  Object.assign(
    new Error(
      `${m}\nusage: andon pdm evaluate --dataset DIR --format nab|skab [--detector v1|v2|v3|v4|t2q] [--vote | --quiet-sensors] [--scores DIR] [--alerts]`,
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
      alerts: { type: "boolean" },
    },
  });
  // SKAB's default is the multivariate detector (one per run, all sensors); the per-sensor robust-EWMA ones stay selectable
  const detector = values.detector ?? (values.format === "skab" ? "t2q" : "v4");
  if (!values.dataset || !existsSync(values.dataset)) throw usage(`--dataset: no such folder ${values.dataset ?? "(missing)"}`);
  const say = (m: string) => console.log(`[pdm] ${m}`);
  if (detector === "t2q") {
    if (values.format !== "skab") throw usage("--detector t2q: only with --format skab (it needs several sensors per row)");
    if (values.vote || values["quiet-sensors"]) throw usage("--vote and --quiet-sensors: only with the per-sensor detectors");
    const t0 = performance.now();
    say(`detector ${T2Q_V1.version}: ${JSON.stringify(T2Q_V1)}`);
    const r = evaluateSkabT2Q(values.dataset, T2Q_V1, say);
    const pct = (x: number) => `${(100 * x).toFixed(0)} %`;
    for (const [g, x] of Object.entries(r.groups))
      say(
        `${g}: ${x.runs} runs, rows after training f1=${f2(x.f1)} far=${f2(x.far)} mar=${f2(x.mar)}; ${x.alerts} alerts, about ${x.top.map((t) => `${t.sensor} ${pct(t.share)}`).join(", ")}`,
      );
    if (values.alerts)
      for (const x of r.alertList)
        say(
          `alert ${x.run} rows ${x.open}–${x.clear ?? "end"} (${x.anomalousRows} of ${x.rows} labelled anomalous): ${x.top.map((t) => `${t.sensor} ${pct(t.share)}`).join(", ")}`,
        );
    const a = r.afterTraining;
    say(`rows after each run's ${T2Q_V1.trainRows} training rows only (${a.rows}): f1=${f2(a.f1)} far=${f2(a.far)} mar=${f2(a.mar)}`);
    say(`every row scored (${r.rows}, SKAB's convention; training rows predicted normal) in ${((performance.now() - t0) / 1000).toFixed(1)} s:`);
    console.log(`skab f1=${f2(r.f1)} far=${f2(r.far)} mar=${f2(r.mar)}`);
    return;
  }
  const params = DETECTORS[detector];
  if (!params) throw usage(`--detector must be one of ${[...Object.keys(DETECTORS), "t2q"].join(", ")}`);
  if (values.scores !== undefined && (values.format !== "nab" || !existsSync(values.scores))) {
    throw usage(`--scores: ${values.format !== "nab" ? "only with --format nab" : `no such folder ${values.scores}`}`);
  }
  if (!values.scores) say(`detector ${params.version}: ${JSON.stringify(params)}`);
  if (values.format === "nab") {
    const r = values.scores ? evaluateNabScores(values.dataset, values.scores, say) : evaluateNab(values.dataset, params, say);
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
