// Random neighbours of a novelty parameter set (lib/domain/pdm/novelty.ts): an overfitting check.
// A parameter set tuned by hand on half a corpus can sit on a spike of the score landscape; scoring
// a few dozen random neighbours on the same half shows how high the family stands around it. A
// frozen set far above all its neighbours is a selection peak, and its figure will not hold on
// files it was not tuned on. Pure and deterministic (seeded).

import type { NoveltyParams } from "./novelty.ts";

/** A deterministic pseudo-random generator in [0, 1) (a linear congruential generator; not for secrets). */
export function seededRandom(seed: number): () => number {
  let s = Math.floor(Math.abs(seed)) % 2147483648 || 1;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

/**
 * One random neighbour of `base`: every radius scaled by one factor in [0.8, 1.25] (log-uniform) and
 * their count redrawn (3–7, log-spaced between the scaled smallest and largest); the current value's
 * weight × [2/3, 4/3]; the rest's length × [0.8, 1.4], margin × [0.6, 1.4], damping in
 * [0, min(1, 5/3 × base)]; logScale × [0.75, 1.25]; gain × [2/3, 4/3]; the tails' memory × [0.5, 2]
 * (log-uniform, when set). For novelty@v2 these are radii 0.016–0.056, weight 2–4, rest 0.4–0.7 ×
 * learn, margin 0.06–0.14, damping 0–0.5, logScale 6–10, gain 2–4, memory 2000–8000.
 */
export function noveltyNeighbour(base: NoveltyParams, rand: () => number, tag = "jitter"): NoveltyParams {
  const u = (a: number, b: number) => a + (b - a) * rand();
  const logU = (a: number, b: number) => Math.exp(u(Math.log(a), Math.log(b)));
  const first = base.views[0];
  if (!first) throw new Error("novelty: a parameter set needs at least one view");
  const radii = base.views.map((v) => v.radius);
  const scale = logU(0.8, 1.25);
  const lo = Math.min(...radii) * scale;
  const hi = Math.max(...radii) * scale;
  const n = 3 + Math.floor(rand() * 5);
  const weights = [(first.weights[0] ?? 1) * u(2 / 3, 4 / 3), ...first.weights.slice(1)];
  return {
    ...base,
    version: `${base.version}~${tag}`,
    views: Array.from({ length: n }, (_, i) => ({ segments: first.segments, weights, radius: lo * (hi / lo) ** (i / (n - 1)) })),
    restFraction: base.restFraction * u(0.8, 1.4),
    restMargin: base.restMargin * u(0.6, 1.4),
    restDamp: u(0, Math.min(1, (5 / 3) * base.restDamp)),
    logScale: base.logScale * u(0.75, 1.25),
    gain: base.gain * u(2 / 3, 4 / 3),
    ...(base.memory ? { memory: Math.round(base.memory * logU(0.5, 2)) } : {}),
  };
}
