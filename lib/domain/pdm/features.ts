// Vibration features from one waveform snapshot (acceleration in g at a known sample rate). Pure (no
// I/O); the spectral work is in spectral.ts (fft.js, one plan and scratch buffers per size, three
// transforms per snapshot). The snapshot is cut to the largest power of two of samples.
//
// - acceleration RMS and peak (g, after removing the mean), crest factor = peak / RMS, kurtosis
//   (m4 / m2², 3 for Gaussian noise, 1.5 for a sine, higher with impacts);
// - velocity RMS in the 10–1000 Hz band (mm/s, what ISO 10816-3 zones are defined on): each
//   spectral line of acceleration a_k (m/s², Hann window, energy-corrected) is a velocity line
//   a_k / (2π f_k);
// - RMS acceleration in a band around 1× and 2× running speed (± max(2 lines, 5 % of the speed));
// - the envelope spectrum (high-pass above `envelopeHighPassHz`, Hilbert transform, magnitude, mean
//   removed) and its amplitude (g) at the bearing defect frequencies, when the speed and the
//   bearing geometry are known. With shaft frequency f_r, n rolling elements, ball diameter d,
//   pitch diameter D, contact angle φ and r = (d / D) cos φ: FTF = f_r / 2 · (1 − r),
//   BPFO = n · f_r / 2 · (1 − r), BPFI = n · f_r / 2 · (1 + r), BSF = D / (2d) · f_r · (1 − r²).
import { envelopeAmplitudeAt, envelopeSpectrum, loadSignal, signalSpectrum, spectralPlan } from "./spectral.ts";

const G = 9.80665;

export interface Bearing {
  rollingElements: number;
  ballDiameterMm: number;
  pitchDiameterMm: number;
  contactAngleDeg: number;
}

export interface WaveformInput {
  sampleRateHz: number;
  /** acceleration, g */
  samples: ArrayLike<number>;
  speedRpm?: number;
  bearing?: Bearing;
  envelopeHighPassHz?: number;
}

export interface DefectFrequencies {
  ftf: number;
  bpfo: number;
  bpfi: number;
  bsf: number;
}

export interface Features {
  samples: number;
  accelRmsG: number;
  accelPeakG: number;
  crestFactor: number;
  kurtosis: number;
  velocityRmsMmS: number;
  /** RMS acceleration around 1× and 2× running speed, g (absent without a speed) */
  band1xG?: number;
  band2xG?: number;
  defectFrequenciesHz?: DefectFrequencies;
  /** envelope spectrum amplitude at each defect frequency, g */
  envelopeG?: DefectFrequencies;
}

export function defectFrequencies(speedRpm: number, b: Bearing): DefectFrequencies {
  const fr = speedRpm / 60;
  const r = (b.ballDiameterMm / b.pitchDiameterMm) * Math.cos((b.contactAngleDeg * Math.PI) / 180);
  return {
    ftf: (fr / 2) * (1 - r),
    bpfo: ((b.rollingElements * fr) / 2) * (1 - r),
    bpfi: ((b.rollingElements * fr) / 2) * (1 + r),
    bsf: (b.pitchDiameterMm / (2 * b.ballDiameterMm)) * fr * (1 - r * r),
  };
}

const pow2Below = (n: number) => 2 ** Math.floor(Math.log2(n));

/** RMS (g) of the lines within ±`half` Hz of `h` × the shaft frequency `fr`. */
function bandRms(ms: Float64Array, n: number, fs: number, fr: number, half: number, h: number): number {
  let s = 0;
  const hi = Math.min(n / 2, Math.floor(((h * fr + half) * n) / fs) + 1);
  for (let k = Math.max(1, Math.floor(((h * fr - half) * n) / fs) - 1); k <= hi; k++) if (Math.abs((k * fs) / n - h * fr) <= half) s += ms[k] as number;
  return Math.sqrt(s);
}

export function waveformFeatures(w: WaveformInput): Features {
  if (!(w.sampleRateHz > 0)) throw new Error("sample rate must be positive");
  if (w.samples.length < 64) throw new Error("a waveform needs at least 64 samples");
  const n = pow2Below(w.samples.length);
  const fs = w.sampleRateHz;
  const p = spectralPlan(n);
  const { m2, m4, peak } = loadSignal(p, w.samples);
  const rms = Math.sqrt(m2);
  const fr = w.speedRpm && w.speedRpm > 0 ? w.speedRpm / 60 : 0;
  // the lines the velocity (to 1000 Hz) and the 1×/2× bands read: only those are windowed
  const half = Math.max((2 * fs) / n, 0.05 * fr);
  signalSpectrum(p, Math.ceil((Math.max(1000, 2 * fr + half) * n) / fs) + 1);
  const ms = p.ms;
  const top = Math.min(n / 2, Math.floor((1000 * n) / fs) + 1);
  let vel = 0;
  for (let k = 1; k <= top; k++) {
    const hz = (k * fs) / n;
    if (hz < 10 || hz > 1000) continue;
    vel += ((ms[k] as number) * G * G) / (2 * Math.PI * hz) ** 2;
  }
  const out: Features = {
    samples: n,
    accelRmsG: rms,
    accelPeakG: peak,
    crestFactor: rms > 0 ? peak / rms : 0,
    kurtosis: m2 > 0 ? m4 / (m2 * m2) : 0,
    velocityRmsMmS: Math.sqrt(vel) * 1000,
  };
  if (w.speedRpm && w.speedRpm > 0) {
    out.band1xG = bandRms(ms, n, fs, fr, half, 1);
    out.band2xG = bandRms(ms, n, fs, fr, half, 2);
    if (w.bearing) {
      const d = defectFrequencies(w.speedRpm, w.bearing);
      envelopeSpectrum(p, fs, w.envelopeHighPassHz ?? Math.min(1000, fs / 4));
      out.defectFrequenciesHz = d;
      out.envelopeG = {
        ftf: envelopeAmplitudeAt(p, fs, d.ftf),
        bpfo: envelopeAmplitudeAt(p, fs, d.bpfo),
        bpfi: envelopeAmplitudeAt(p, fs, d.bpfi),
        bsf: envelopeAmplitudeAt(p, fs, d.bsf),
      };
    }
  }
  return out;
}

/** The features of a vibration message (lib/contract/payloads.ts) the drift detectors watch. */
export const MESSAGE_FEATURES = ["velocity_rms_mm_s", "accel_rms_g", "crest_factor", "kurtosis", "temperature_c"] as const;
export type MessageFeature = (typeof MESSAGE_FEATURES)[number];

/** The features of a snapshot the detectors watch, by name (envelope and band values only when they were computed). */
export const SNAPSHOT_FEATURES = [
  "velocity_rms_mm_s",
  "accel_rms_g",
  "crest_factor",
  "kurtosis",
  "band_1x_g",
  "band_2x_g",
  "envelope_bpfo_g",
  "envelope_bpfi_g",
  "envelope_bsf_g",
  "envelope_ftf_g",
] as const;
export type SnapshotFeature = (typeof SNAPSHOT_FEATURES)[number];

export function snapshotFeatureValues(f: Features): Partial<Record<SnapshotFeature, number>> {
  const v: Partial<Record<SnapshotFeature, number>> = {
    velocity_rms_mm_s: f.velocityRmsMmS,
    accel_rms_g: f.accelRmsG,
    crest_factor: f.crestFactor,
    kurtosis: f.kurtosis,
  };
  if (f.band1xG !== undefined) v.band_1x_g = f.band1xG;
  if (f.band2xG !== undefined) v.band_2x_g = f.band2xG;
  if (f.envelopeG) {
    v.envelope_bpfo_g = f.envelopeG.bpfo;
    v.envelope_bpfi_g = f.envelopeG.bpfi;
    v.envelope_bsf_g = f.envelopeG.bsf;
    v.envelope_ftf_g = f.envelopeG.ftf;
  }
  return v;
}
