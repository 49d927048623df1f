// The spectral work behind the waveform features (features.ts), done with as few transforms as the
// features allow: per snapshot one real FFT of the signal, one complex FFT for the analytic signal
// and one real FFT of the envelope (fft.js, radix-4, MIT). Pure: no I/O. For speed, one FFT plan and
// its scratch buffers are kept per size and reused by every call (module state, never returned: the
// features are plain numbers computed from the buffers before the call returns; JavaScript runs a
// call to the end before the next one starts, and each worker thread has its own module).
//
// The Hann window is applied in the frequency domain: the periodic window w[i] = ½ − ½ cos(2πi/N) is
// ½ − ¼ e^{+j2πi/N} − ¼ e^{−j2πi/N}, so line k of the windowed signal's spectrum is
// ½ X[k] − ¼ (X[k−1] + X[k+1]) (for a real signal X[−1] = conj X[1] and X[N/2+1] = conj X[N/2−1]).
// One transform of the signal thus gives both its plain spectrum (for the analytic signal) and the
// windowed one (for the line mean squares), and only the lines actually asked for are windowed.
import FFT from "fft.js";

export interface SpectralPlan {
  readonly n: number;
  readonly fft: FFT;
  /** the signal, mean removed (filled by the caller); then the envelope */
  readonly x: Float64Array;
  /**
   * interleaved re, im, lines 0..N/2 (the transform fills the rest with its own intermediate
   * values): the spectrum of `x`, then the analytic signal's one-sided spectrum, then the
   * envelope's spectrum. One buffer in turn keeps the working set small (cache).
   */
  readonly spec: number[];
  /** one-sided, window-corrected mean square of lines 0..N/2 of the windowed `x` (only lines asked for are filled) */
  readonly ms: Float64Array;
  /** the analytic signal's transform */
  readonly z: number[];
}

const plans = new Map<number, SpectralPlan>();
/** sizes kept at once: a fleet uses one or two; an odd snapshot size must not pin memory forever */
const MAX_PLANS = 4;

/** The plan (FFT tables and scratch buffers) for size `n` (a power of two), made once and reused. */
export function spectralPlan(n: number): SpectralPlan {
  const hit = plans.get(n);
  if (hit) return hit;
  const fft = new FFT(n);
  // fft.js' own arrays (plain arrays of doubles) for its outputs and complex input: as fast as
  // typed arrays there, and the bench's bare FFT uses the same kinds (one shape for the JIT)
  const p: SpectralPlan = {
    n,
    fft,
    x: new Float64Array(n),
    spec: fft.createComplexArray(),
    ms: new Float64Array(n / 2 + 1),
    z: fft.createComplexArray(),
  };
  if (plans.size >= MAX_PLANS) plans.delete(plans.keys().next().value as number);
  plans.set(n, p);
  return p;
}

/**
 * The first N samples into `p.x`, and their central moments of order 2 and 4 and the peak of
 * |x − mean|, in one pass. The samples are shifted by the mean of the first 64 (close to the mean,
 * so the power sums of the shifted samples lose no precision to a DC offset); the central moments
 * follow from them. `p.x` keeps the shifted samples: the remaining offset only changes line 0 of
 * their spectrum, which `signalSpectrum` sets to 0 (the mean removed).
 */
export function loadSignal(p: SpectralPlan, samples: ArrayLike<number>): { m2: number; m4: number; peak: number } {
  const { n, x } = p;
  let c = 0;
  for (let i = 0; i < 64; i++) c += samples[i] as number;
  c /= 64;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let s4 = 0;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const d = (samples[i] as number) - c;
    x[i] = d;
    const d2 = d * d;
    s1 += d;
    s2 += d2;
    s3 += d2 * d;
    s4 += d2 * d2;
    if (d < lo) lo = d;
    if (d > hi) hi = d;
  }
  const mu = s1 / n;
  const e2 = s2 / n;
  const mu2 = mu * mu;
  // never below 0 by rounding (a constant signal)
  const m2 = Math.max(0, e2 - mu2);
  const m4 = Math.max(0, s4 / n - 4 * mu * (s3 / n) + 6 * mu2 * e2 - 3 * mu2 * mu2);
  // a NaN sample makes everything NaN, the peak too (as Math.max would have it)
  const peak = Number.isNaN(s1) ? Number.NaN : Math.max(hi - mu, mu - lo);
  return { m2, m4, peak };
}

/**
 * Mean square of line k (0..N/2) of the Hann-windowed signal whose plain spectrum is `s`, one-sided
 * and corrected for the window's energy (× 8/3), so the lines of a band add up to the mean square of
 * the signal in that band (Parseval).
 */
export function hannLineMeanSquare(s: readonly number[], n: number, k: number): number {
  const h = n / 2;
  const re = s[2 * k] as number;
  const im = s[2 * k + 1] as number;
  const pr = k === 0 ? (s[2] as number) : (s[2 * k - 2] as number);
  const pi = k === 0 ? -(s[3] as number) : (s[2 * k - 1] as number);
  const nr = k === h ? (s[2 * h - 2] as number) : (s[2 * k + 2] as number);
  const ni = k === h ? -(s[2 * h - 1] as number) : (s[2 * k + 3] as number);
  const wr = 0.5 * re - 0.25 * (pr + nr);
  const wi = 0.5 * im - 0.25 * (pi + ni);
  const p = ((wr * wr + wi * wi) / (n * n)) * (8 / 3);
  return k === 0 || k === h ? p : 2 * p;
}

/** Transform `p.x` (its mean removed: line 0 set to 0) and fill `p.ms` for lines 0..kMax (the lines above are left as they are). */
export function signalSpectrum(p: SpectralPlan, kMax: number): void {
  p.fft.realTransform(p.spec, p.x);
  p.spec[0] = 0; // the mean removed
  p.spec[1] = 0;
  const top = Math.min(kMax, p.n / 2);
  for (let k = 0; k <= top; k++) p.ms[k] = hannLineMeanSquare(p.spec, p.n, k);
}

/**
 * The envelope of the signal transformed by `signalSpectrum` (after `p.ms` was read: `p.x` and
 * `p.spec` are reused): high-pass above `highPassHz`, analytic signal (positive frequencies doubled),
 * magnitude; then its spectrum, mean removed, in `p.spec`. The analytic signal is z = IFFT(A); the
 * forward transform gives N · z at reversed time (FFT(A)[m] = N · z[−m mod N]), and neither the
 * envelope spectrum's magnitudes nor the symmetric window change when time is reversed, so the
 * forward transform is used and scaled by 2/N (the doubling of the positive lines folded in).
 */
export function envelopeSpectrum(p: SpectralPlan, fs: number, highPassHz: number): void {
  const { n, spec, z, x: env } = p;
  let lo = 1;
  while (lo < n / 2 && (lo * fs) / n < highPassHz) lo++;
  // lines below the cut and lines N/2 and up (the negative frequencies) to 0 (loops: faster than fill here)
  for (let i = 0; i < 2 * lo; i++) spec[i] = 0;
  for (let i = n; i < 2 * n; i++) spec[i] = 0;
  p.fft.transform(z, spec);
  const scale = 2 / n;
  for (let i = 0; i < n; i++) {
    const re = z[2 * i] as number;
    const im = z[2 * i + 1] as number;
    env[i] = Math.sqrt(re * re + im * im) * scale;
  }
  p.fft.realTransform(spec, env);
  // the envelope's mean removed: only line 0 of the plain spectrum changes (to 0)
  spec[0] = 0;
  spec[1] = 0;
}

/** Amplitude (peak, g) of a tone of the envelope near `hz`: the energy of the lines within ±2 of it (the Hann main lobe). */
export function envelopeAmplitudeAt(p: SpectralPlan, fs: number, hz: number): number {
  const { n, spec } = p;
  const k = Math.round((hz * n) / fs);
  let e = 0;
  for (let j = Math.max(1, k - 2); j <= Math.min(n / 2, k + 2); j++) e += hannLineMeanSquare(spec, n, j);
  return Math.sqrt(2 * e); // the mean square of a sine of amplitude A is A²/2
}
