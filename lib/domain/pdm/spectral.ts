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
  /** the signal, mean removed (filled by the caller) */
  readonly x: Float64Array;
  /** spectrum of `x`, interleaved re, im; lines 0..N/2 */
  readonly spec: number[];
  /** one-sided, window-corrected mean square of lines 0..N/2 of the windowed `x` (only lines asked for are filled) */
  readonly ms: Float64Array;
  /** one-sided spectrum of the high-passed signal, input of the analytic signal's transform */
  readonly analytic: number[];
  readonly z: number[];
  /** the envelope (magnitude of the analytic signal) */
  readonly env: Float64Array;
  /** spectrum of the envelope, its mean removed (line 0 zero) */
  readonly envSpec: number[];
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
    analytic: fft.createComplexArray(),
    z: fft.createComplexArray(),
    env: new Float64Array(n),
    envSpec: fft.createComplexArray(),
  };
  if (plans.size >= MAX_PLANS) plans.delete(plans.keys().next().value as number);
  plans.set(n, p);
  return p;
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

/** Transform `p.x` and fill `p.ms` for lines 0..kMax (the lines above are left as they are). */
export function signalSpectrum(p: SpectralPlan, kMax: number): void {
  p.fft.realTransform(p.spec, p.x);
  const top = Math.min(kMax, p.n / 2);
  for (let k = 0; k <= top; k++) p.ms[k] = hannLineMeanSquare(p.spec, p.n, k);
}

/**
 * The envelope of the signal transformed by `signalSpectrum`: high-pass above `highPassHz`, analytic
 * signal (positive frequencies doubled), magnitude; then its spectrum, mean removed, in `p.envSpec`.
 * The analytic signal is z = IFFT(A); the forward transform gives n · z at reversed time
 * (FFT(A)[m] = n · z[−m mod N]), and the envelope spectrum's magnitudes and the symmetric window do
 * not change when time is reversed, so the forward transform is used and scaled by 1/N.
 */
export function envelopeSpectrum(p: SpectralPlan, fs: number, highPassHz: number): void {
  const { n, spec, analytic: a, z, env } = p;
  let lo = 1;
  while (lo < n / 2 && (lo * fs) / n < highPassHz) lo++;
  for (let i = 0; i < 2 * lo; i++) a[i] = 0; // left by an earlier call with another cut; lines ≥ N/2 stay 0
  for (let i = 2 * lo; i < n; i++) a[i] = 2 * (spec[i] as number);
  p.fft.transform(z, a);
  const scale = 1 / n;
  for (let i = 0; i < n; i++) {
    const re = z[2 * i] as number;
    const im = z[2 * i + 1] as number;
    env[i] = Math.sqrt(re * re + im * im) * scale;
  }
  p.fft.realTransform(p.envSpec, env);
  // the envelope's mean removed: only line 0 of the plain spectrum changes (to 0)
  p.envSpec[0] = 0;
  p.envSpec[1] = 0;
}

/** Amplitude (peak, g) of a tone of the envelope near `hz`: the energy of the lines within ±2 of it (the Hann main lobe). */
export function envelopeAmplitudeAt(p: SpectralPlan, fs: number, hz: number): number {
  const { n, envSpec } = p;
  const k = Math.round((hz * n) / fs);
  let e = 0;
  for (let j = Math.max(1, k - 2); j <= Math.min(n / 2, k + 2); j++) e += hannLineMeanSquare(envSpec, n, j);
  return Math.sqrt(2 * e); // the mean square of a sine of amplitude A is A²/2
}
