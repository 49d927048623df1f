// Vibration features from one waveform snapshot (acceleration in g at a known sample rate). Pure;
// the FFT is fft.js (radix-4, MIT). The snapshot is cut to the largest power of two of samples.
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
import FFT from "fft.js";

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
  samples: readonly number[];
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

/** Complex spectrum (interleaved re, im) of a real signal of power-of-two length. */
function spectrum(x: readonly number[]): number[] {
  const f = new FFT(x.length);
  const out = f.createComplexArray();
  f.realTransform(out, x);
  f.completeSpectrum(out);
  return out;
}

/**
 * One-sided mean square per line k (0..N/2) of a Hann-windowed signal, corrected for the window's
 * energy (× 8/3), so the lines of a band add up to the mean square of the signal in that band
 * (Parseval). The window keeps a strong low-frequency tone from leaking into a band beside it.
 */
function lineMeanSquare(x: readonly number[]): number[] {
  const n = x.length;
  const spec = spectrum(x.map((v, i) => v * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n))));
  const out: number[] = [];
  for (let k = 0; k <= n / 2; k++) {
    const re = spec[2 * k] as number;
    const im = spec[2 * k + 1] as number;
    const p = ((re * re + im * im) / (n * n)) * (8 / 3);
    out.push(k === 0 || k === n / 2 ? p : 2 * p);
  }
  return out;
}

function envelope(x: readonly number[], fs: number, highPassHz: number): number[] {
  const n = x.length;
  const f = new FFT(n);
  const spec = spectrum(x);
  // analytic signal of the high-passed signal: keep positive frequencies above the cut, doubled
  const a = f.createComplexArray();
  for (let k = 1; k < n / 2; k++) {
    if ((k * fs) / n < highPassHz) continue;
    a[2 * k] = 2 * (spec[2 * k] as number);
    a[2 * k + 1] = 2 * (spec[2 * k + 1] as number);
  }
  const z = f.createComplexArray();
  f.inverseTransform(z, a);
  const env: number[] = [];
  for (let i = 0; i < n; i++) env.push(Math.hypot(z[2 * i] as number, z[2 * i + 1] as number));
  const mean = env.reduce((s, v) => s + v, 0) / n;
  return env.map((v) => v - mean);
}

/** Amplitude (peak, g) of a tone near `hz`: the energy of the lines within ±2 of it (the Hann main lobe). */
function amplitudeAt(ms: readonly number[], fs: number, n: number, hz: number): number {
  const k = Math.round((hz * n) / fs);
  let e = 0;
  for (let j = Math.max(1, k - 2); j <= Math.min(ms.length - 1, k + 2); j++) e += ms[j] as number;
  return Math.sqrt(2 * e); // the mean square of a sine of amplitude A is A²/2
}

export function waveformFeatures(w: WaveformInput): Features {
  if (!(w.sampleRateHz > 0)) throw new Error("sample rate must be positive");
  if (w.samples.length < 64) throw new Error("a waveform needs at least 64 samples");
  const n = pow2Below(w.samples.length);
  const fs = w.sampleRateHz;
  const raw = w.samples.slice(0, n);
  const mean = raw.reduce((s, v) => s + v, 0) / n;
  const x = raw.map((v) => v - mean);
  const m2 = x.reduce((s, v) => s + v * v, 0) / n;
  const m4 = x.reduce((s, v) => s + v ** 4, 0) / n;
  const rms = Math.sqrt(m2);
  const peak = x.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const ms = lineMeanSquare(x);
  let vel = 0;
  for (let k = 1; k < ms.length; k++) {
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
    const fr = w.speedRpm / 60;
    const band = (h: number) => {
      const half = Math.max((2 * fs) / n, 0.05 * fr);
      let s = 0;
      for (let k = 1; k < ms.length; k++) if (Math.abs((k * fs) / n - h * fr) <= half) s += ms[k] as number;
      return Math.sqrt(s);
    };
    out.band1xG = band(1);
    out.band2xG = band(2);
    if (w.bearing) {
      const d = defectFrequencies(w.speedRpm, w.bearing);
      const env = envelope(x, fs, w.envelopeHighPassHz ?? Math.min(1000, fs / 4));
      const ems = lineMeanSquare(env);
      out.defectFrequenciesHz = d;
      out.envelopeG = {
        ftf: amplitudeAt(ems, fs, n, d.ftf),
        bpfo: amplitudeAt(ems, fs, n, d.bpfo),
        bpfi: amplitudeAt(ems, fs, n, d.bpfi),
        bsf: amplitudeAt(ems, fs, n, d.bsf),
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
  return {
    velocity_rms_mm_s: f.velocityRmsMmS,
    accel_rms_g: f.accelRmsG,
    crest_factor: f.crestFactor,
    kurtosis: f.kurtosis,
    ...(f.band1xG !== undefined ? { band_1x_g: f.band1xG } : {}),
    ...(f.band2xG !== undefined ? { band_2x_g: f.band2xG } : {}),
    ...(f.envelopeG
      ? { envelope_bpfo_g: f.envelopeG.bpfo, envelope_bpfi_g: f.envelopeG.bpfi, envelope_bsf_g: f.envelopeG.bsf, envelope_ftf_g: f.envelopeG.ftf }
      : {}),
  };
}
