// The overfitting check of a frozen novelty parameter set on NAB (`andon pdm evaluate --format nab
// --neighbours N`): the figures of N random neighbours (lib/domain/pdm/novelty-jitter.ts) on the same
// files, scored like the frozen set, so the set can be placed in its neighbourhood.
import { probationLength } from "#lib/domain/pdm/nab.ts";
import { NoveltyDetector, type NoveltyParams } from "#lib/domain/pdm/novelty.ts";
import { noveltyNeighbour, seededRandom } from "#lib/domain/pdm/novelty-jitter.ts";
import { type NabReport, scoreNab } from "./evaluate.ts";
import { loadNabCorpus } from "./nab-corpus.ts";

export interface Neighbour {
  params: NoveltyParams;
  profiles: NabReport["profiles"];
}

export function nabNeighbourhood(
  dir: string,
  base: NoveltyParams,
  count: number,
  seed: number,
  only?: (index: number) => boolean,
  say: (m: string) => void = () => undefined,
): Neighbour[] {
  const corpus = loadNabCorpus(dir).filter((_, i) => !only || only(i));
  const rand = seededRandom(seed);
  const out: Neighbour[] = [];
  for (let k = 0; k < count; k++) {
    const params = noveltyNeighbour(base, rand, `n${seed}.${k}`);
    const scores = new Map<string, Float64Array>();
    for (const s of corpus) {
      const d = new NoveltyDetector(params, probationLength(s.file.rows));
      scores.set(
        s.name,
        Float64Array.from(s.values, (v, i) => d.update(s.ts[i] as number, v)),
      );
    }
    const { profiles } = scoreNab(corpus, scores);
    out.push({ params, profiles });
    say(
      `neighbour ${k + 1}/${count}: standard=${profiles.standard.scoreboard.normalized.toFixed(2)} low_fp=${profiles.reward_low_FP_rate.scoreboard.normalized.toFixed(2)} low_fn=${profiles.reward_low_FN_rate.scoreboard.normalized.toFixed(2)}`,
    );
  }
  return out;
}
