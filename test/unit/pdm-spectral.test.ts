// The fast spectral path of the waveform features (lib/domain/pdm/spectral.ts: Hann window applied
// in the frequency domain, one plan and scratch buffers per size, the analytic signal by a forward
// transform) against a plain reference written from the definitions: the window applied to the
// samples, a naive O(N²) DFT for every transform, the envelope as the magnitude of the inverse
// transform of the doubled positive lines above the cut, its mean removed in the time domain.
import { describe, expect, it } from "vitest";
import { type Bearing, defectFrequencies, type Features, waveformFeatures } from "#lib/domain/pdm/features.ts";
import { mulberry32 } from "#lib/features/sim/prng.ts";
import { synthWaveform } from "#lib/features/sim/waveform.ts";

const G = 9.80665;
const bearing: Bearing = { rollingElements: 9, ballDiameterMm: 7.94, pitchDiameterMm: 39.04, contactAngleDeg: 0 };
const bearingCols = { bearingRollingElements: 9, bearingBallDiameterMm: 7.94, bearingPitchDiameterMm: 39.04, bearingContactAngleDeg: 0 };

/** naive DFT, sign −1 forward, +1 inverse (unscaled) */
function dft(re: readonly number[], im: readonly number[], sign: 1 | -1): { re: number[]; im: number[] } {
  const n = re.length;
  const c = Array.from({ length: n }, (_, m) => Math.cos((2 * Math.PI * m) / n));
  const s = Array.from({ length: n }, (_, m) => sign * Math.sin((2 * Math.PI * m) / n));
  const out = { re: new Array<number>(n).fill(0), im: new Array<number>(n).fill(0) };
  for (let k = 0; k < n; k++) {
    let a = 0;
    let b = 0;
    for (let t = 0; t < n; t++) {
      const m = (k * t) % n;
      const xr = re[t] as number;
      const xi = im[t] as number;
      a += xr * (c[m] as number) - xi * (s[m] as number);
      b += xr * (s[m] as number) + xi * (c[m] as number);
    }
    out.re[k] = a;
    out.im[k] = b;
  }
  return out;
}

/** one-sided mean square per line 0..N/2 of the Hann-windowed signal, × 8/3 */
function lineMs(x: readonly number[]): number[] {
  const n = x.length;
  const w = x.map((v, i) => v * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n)));
  const f = dft(w, new Array(n).fill(0), -1);
  return Array.from({ length: n / 2 + 1 }, (_, k) => {
    const p = (((f.re[k] as number) ** 2 + (f.im[k] as number) ** 2) / (n * n)) * (8 / 3);
    return k === 0 || k === n / 2 ? p : 2 * p;
  });
}

function reference(samples: readonly number[], fs: number, speedRpm: number, hp: number): Features {
  let n = 64;
  while (n * 2 <= samples.length) n *= 2;
  const raw = samples.slice(0, n);
  const mean = raw.reduce((s, v) => s + v, 0) / n;
  const x = raw.map((v) => v - mean);
  const m2 = x.reduce((s, v) => s + v * v, 0) / n;
  const m4 = x.reduce((s, v) => s + v ** 4, 0) / n;
  const peak = Math.max(...x.map(Math.abs));
  const ms = lineMs(x);
  let vel = 0;
  ms.forEach((p, k) => {
    const hz = (k * fs) / n;
    if (k > 0 && hz >= 10 && hz <= 1000) vel += (p * G * G) / (2 * Math.PI * hz) ** 2;
  });
  const fr = speedRpm / 60;
  const half = Math.max((2 * fs) / n, 0.05 * fr);
  const band = (h: number) => Math.sqrt(ms.reduce((s, p, k) => (k > 0 && Math.abs((k * fs) / n - h * fr) <= half ? s + p : s), 0));
  // envelope: the analytic signal of the high-passed signal
  const f = dft(x, new Array(n).fill(0), -1);
  const keep = (k: number) => k >= 1 && k < n / 2 && (k * fs) / n >= hp;
  const a = dft(
    f.re.map((v, k) => (keep(k) ? 2 * v : 0)),
    f.im.map((v, k) => (keep(k) ? 2 * v : 0)),
    1,
  );
  const env = a.re.map((r, i) => Math.hypot(r / n, (a.im[i] as number) / n));
  const envMean = env.reduce((s, v) => s + v, 0) / n;
  const ems = lineMs(env.map((v) => v - envMean));
  const at = (hz: number) => {
    const k = Math.round((hz * n) / fs);
    let e = 0;
    for (let j = Math.max(1, k - 2); j <= Math.min(n / 2, k + 2); j++) e += ems[j] as number;
    return Math.sqrt(2 * e);
  };
  const d = defectFrequencies(speedRpm, bearing);
  return {
    samples: n,
    accelRmsG: Math.sqrt(m2),
    accelPeakG: peak,
    crestFactor: peak / Math.sqrt(m2),
    kurtosis: m4 / (m2 * m2),
    velocityRmsMmS: Math.sqrt(vel) * 1000,
    band1xG: band(1),
    band2xG: band(2),
    defectFrequenciesHz: d,
    envelopeG: { ftf: at(d.ftf), bpfo: at(d.bpfo), bpfi: at(d.bpfi), bsf: at(d.bsf) },
  };
}

const flat = (f: Features): [string, number][] => [
  ...Object.entries(f).filter((e): e is [string, number] => typeof e[1] === "number"),
  ...Object.entries(f.envelopeG ?? {}).map(([k, v]): [string, number] => [`envelope.${k}`, v]),
];

function expectSame(got: Features, want: Features): void {
  const w = new Map(flat(want));
  expect(flat(got).map(([k]) => k)).toEqual([...w.keys()]);
  for (const [k, v] of flat(got)) {
    const ref = w.get(k) as number;
    // floating-point tolerance: the operations differ in order, not in what they compute
    expect(Math.abs(v - ref), `${k}: ${v} vs ${ref}`).toBeLessThanOrEqual(1e-9 * Math.max(Math.abs(ref), 1e-6));
  }
}

describe("waveform features: the fast spectral path equals the definitions", () => {
  const rng = mulberry32(11);
  const cases = [
    { fs: 2560, n: 512, rpm: 2950, degradation: 0, hp: 640 },
    { fs: 2560, n: 600, rpm: 2950, degradation: 0.8, hp: 640 }, // cut to 512
    { fs: 6400, n: 1024, rpm: 1800, degradation: 0.5, hp: 1000 },
    { fs: 1000, n: 256, rpm: 600, degradation: 1, hp: 100 },
  ];
  for (const c of cases) {
    it(`${c.n} samples at ${c.fs} Hz, ${c.rpm} rpm, degradation ${c.degradation}, high-pass ${c.hp} Hz`, () => {
      const samples = synthWaveform(rng, { sampleRateHz: c.fs, n: c.n, speedRpm: c.rpm, degradation: c.degradation, bearing: bearingCols });
      const got = waveformFeatures({ sampleRateHz: c.fs, samples, speedRpm: c.rpm, bearing, envelopeHighPassHz: c.hp });
      expectSame(got, reference(samples, c.fs, c.rpm, c.hp));
      expect(got.envelopeG?.bpfo).toBeGreaterThan(0);
    });
  }

  it("the reused buffers leave earlier results alone; sizes and typed input mix freely", () => {
    const a = synthWaveform(rng, { sampleRateHz: 2560, n: 512, speedRpm: 2950, degradation: 0.6, bearing: bearingCols });
    const b = synthWaveform(rng, { sampleRateHz: 2560, n: 1024, speedRpm: 2950, degradation: 0, bearing: bearingCols });
    const features = (s: ArrayLike<number>) => waveformFeatures({ sampleRateHz: 2560, samples: s, speedRpm: 2950, bearing });
    const first = features(a);
    const copy = structuredClone(first);
    const other = features(b);
    features(Float64Array.from(b.slice(0, 512))); // the 512 plan again, other data
    expect(first).toEqual(copy);
    expect(features(Float64Array.from(a))).toEqual(first);
    expect(other.samples).toBe(1024);
    expect(other.envelopeG?.bpfo).not.toBe(first.envelopeG?.bpfo);
  });

  it("a lower high-pass cut on the same size first does not leak into a later, higher one", () => {
    const s = synthWaveform(rng, { sampleRateHz: 2560, n: 512, speedRpm: 2950, degradation: 0.7, bearing: bearingCols });
    const at = (hp: number) => waveformFeatures({ sampleRateHz: 2560, samples: s, speedRpm: 2950, bearing, envelopeHighPassHz: hp });
    expectSame(at(200), reference(s, 2560, 2950, 200));
    expectSame(at(900), reference(s, 2560, 2950, 900));
  });
});
