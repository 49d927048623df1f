// Synthetic acceleration waveform (g): shaft 1x and 2x tones, noise, and - as the bearing degrades -
// impacts at the outer-race defect frequency (BPFO) ringing at a structural resonance.
import type { PlantMachine } from "#lib/adapters/db/plant.ts";
import { defectFrequencies } from "#lib/domain/pdm/features.ts";
import { normal, type Rng } from "./prng.ts";

export interface WaveformSpec {
  sampleRateHz: number;
  n: number;
  speedRpm: number;
  /** 0 healthy .. 1 failed. */
  degradation: number;
  bearing: Pick<PlantMachine, "bearingRollingElements" | "bearingBallDiameterMm" | "bearingPitchDiameterMm" | "bearingContactAngleDeg">;
}

/** The outer-race defect frequency (BPFO) in Hz (lib/domain/pdm/features.ts); undefined without a bearing geometry. */
export function bpfoHz(speedRpm: number, b: WaveformSpec["bearing"]): number | undefined {
  const { bearingRollingElements: n, bearingBallDiameterMm: d, bearingPitchDiameterMm: D, bearingContactAngleDeg: phi = 0 } = b;
  if (!n || !d || !D) return undefined;
  return defectFrequencies(speedRpm, { rollingElements: n, ballDiameterMm: d, pitchDiameterMm: D, contactAngleDeg: phi }).bpfo;
}

export function synthWaveform(rng: Rng, spec: WaveformSpec): number[] {
  const fr = spec.speedRpm / 60;
  const bpfo = bpfoHz(spec.speedRpm, spec.bearing);
  const resonanceHz = 3000;
  const out = new Array<number>(spec.n);
  for (let i = 0; i < spec.n; i++) {
    const t = i / spec.sampleRateHz;
    let x = 0.05 * Math.sin(2 * Math.PI * fr * t) + 0.02 * Math.sin(2 * Math.PI * 2 * fr * t + 0.7) + normal(rng, 0, 0.01);
    if (bpfo && spec.degradation > 0) {
      const sinceImpact = t % (1 / bpfo);
      x += 0.5 * spec.degradation * Math.exp(-sinceImpact * 800) * Math.sin(2 * Math.PI * resonanceHz * sinceImpact);
    }
    out[i] = Math.round(x * 1e5) / 1e5;
  }
  return out;
}
