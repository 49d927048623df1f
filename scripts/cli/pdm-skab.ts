// andon pdm evaluate --format skab: the multivariate detector (t2q, the default) or the per-sensor
// robust EWMA (v1..v4, with --vote or --quiet-sensors) on SKAB, F1/FAR/MAR as SKAB scores them.
import { DETECTORS } from "#lib/domain/pdm/detector.ts";
import { T2Q_V1 } from "#lib/domain/pdm/multivariate.ts";
import { calibrateSkabSensors, calibrateSkabVote, evaluateSkab, evaluateSkabT2Q, SKAB_VOTE_MAX_FALSE } from "#lib/features/pdm/evaluate-skab.ts";

export const f2 = (x: number) => x.toFixed(2);
export type Say = (m: string) => void;

export interface SkabOptions {
  detector: string;
  vote?: boolean | undefined;
  quiet?: boolean | undefined;
  alerts?: boolean | undefined;
}

export function runSkab(dataset: string, o: SkabOptions, say: Say, usage: (m: string) => Error): void {
  if (o.detector === "t2q") {
    if (o.vote || o.quiet) throw usage("--vote and --quiet-sensors: only with the per-sensor detectors");
    const t0 = performance.now();
    say(`detector ${T2Q_V1.version}: ${JSON.stringify(T2Q_V1)}`);
    const r = evaluateSkabT2Q(dataset, T2Q_V1, say);
    const pct = (x: number) => `${(100 * x).toFixed(0)} %`;
    for (const [g, x] of Object.entries(r.groups))
      say(
        `${g}: ${x.runs} runs, rows after training f1=${f2(x.f1)} far=${f2(x.far)} mar=${f2(x.mar)}; ${x.alerts} alerts, about ${x.top.map((t) => `${t.sensor} ${pct(t.share)}`).join(", ")}`,
      );
    if (o.alerts)
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
  const params = DETECTORS[o.detector];
  if (!params) throw usage(`--detector for SKAB: t2q, ${Object.keys(DETECTORS).join(", ")}`);
  say(`detector ${params.version}: ${JSON.stringify(params)}`);
  let vote = 1;
  if (o.vote) {
    vote = calibrateSkabVote(dataset, params, say);
    say(
      `--vote: a row is anomalous while at least ${vote} sensors alarm (the smallest k flagging at most ${SKAB_VOTE_MAX_FALSE * 100} % of the anomaly-free run)`,
    );
  }
  let only: string[] | undefined;
  if (o.quiet) {
    only = calibrateSkabSensors(dataset, params, say);
    say(`--quiet-sensors: only ${only.join(", ")} (each alarms on at most ${SKAB_VOTE_MAX_FALSE * 100} % of the anomaly-free run)`);
  }
  const r = evaluateSkab(dataset, params, say, vote, only);
  console.log(`skab f1=${f2(r.f1)} far=${f2(r.far)} mar=${f2(r.mar)}`);
}
