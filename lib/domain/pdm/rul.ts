// Remaining useful life: when a degrading machine's velocity RMS (measured while running) will cross
// its next ISO 10816-3 zone boundary (B/C, then C/D), with an interval. Pure.
//
// The model is exponential growth: log-velocity linear in time. The recent history is cut into
// equal time blocks; each block's median log-velocity (robust to the measurement noise and to odd
// samples) is one point of an ordinary least-squares line. The crossing is where the line reaches
// log(boundary); the interval is where the line's prediction band for a block median (residual
// spread, slope and intercept uncertainty, Student t) reaches it, so a trend that does not follow an
// exponential (the residuals grow) gets a wider interval. Several window lengths are tried (a short
// window follows an accelerating wear best, a long one averages the noise best; none shorter than an
// eighth of the history, unless the latest level broke away above the longest window's band) and the
// one whose interval is narrowest, relative to its forecast, is kept. No positive slope at the band's
// confidence, too few points, or a velocity already in zone D: no forecast.

import { median } from "./robust-stats.ts";

export interface VelocityPoint {
  ts: number;
  v: number;
}

export interface RulTrend {
  kind: "trend";
  /** the velocity of the boundary ahead (mm/s) and the zone it opens */
  boundary: number;
  zone: "C" | "D";
  /** when the fitted trend reaches it, and the interval (etaHigh: Infinity when unbounded) */
  eta: number;
  etaLow: number;
  etaHigh: number;
  /** growth of the velocity, per hour (0.2 = +20 %/h) */
  growthPerHour: number;
  /** the block medians the line was fitted on, and the line itself from the window's start to etaHigh (or a horizon) */
  points: VelocityPoint[];
  fitted: VelocityPoint[];
  windowMs: number;
  at: number;
}

export interface RulNone {
  kind: "none";
  reason: string;
  at: number;
}

export type RulForecast = RulTrend | RulNone;

export interface RulOptions {
  /** window lengths tried, ms (default 10 min to 4 h) */
  windowsMs?: readonly number[];
  /** blocks per window */
  blocks?: number;
  /** a block needs this many samples */
  minPerBlock?: number;
  /** two-sided confidence of the interval */
  confidence?: 0.8 | 0.9 | 0.95;
  /** forecasts further than this ahead of `now` are "no trend" (ms) */
  horizonMs?: number;
  /**
   * The ISO zone of the latest measurement (a zone alert's): a machine measured in zone C is forecast
   * to its C/D crossing even while the fitted trend is still below B/C (a zone C alert never says
   * "zone C in ~11 h"); measured in D, there is nothing left to forecast.
   */
  measuredZone?: string;
}

export const RUL_DEFAULTS = {
  windowsMs: [10, 20, 30, 60, 120, 240].map((m) => m * 60_000),
  blocks: 10,
  minPerBlock: 5,
  confidence: 0.9,
  horizonMs: 14 * 24 * 3_600_000,
} as const;

// Two-sided Student t quantiles by degrees of freedom 1..30 (then the normal quantile).
const T_TABLE: Record<0.8 | 0.9 | 0.95, readonly number[]> = {
  0.8: [3.078, 1.886, 1.638, 1.533, 1.476, 1.44, 1.415, 1.397, 1.383, 1.372, 1.363, 1.356, 1.35, 1.345, 1.341, 1.337, 1.333, 1.33, 1.328, 1.325],
  0.9: [6.314, 2.92, 2.353, 2.132, 2.015, 1.943, 1.895, 1.86, 1.833, 1.812, 1.796, 1.782, 1.771, 1.761, 1.753, 1.746, 1.74, 1.734, 1.729, 1.725],
  0.95: [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086],
};
const Z: Record<0.8 | 0.9 | 0.95, number> = { 0.8: 1.282, 0.9: 1.645, 0.95: 1.96 };
export const tQuantile = (confidence: 0.8 | 0.9 | 0.95, dof: number): number => T_TABLE[confidence][dof - 1] ?? Z[confidence];

interface Line {
  /** log-velocity = a + b (t - tbar), t in hours */
  a: number;
  b: number;
  tbar: number;
  sxx: number;
  sigma: number;
  n: number;
  q: number;
  points: { t: number; y: number }[];
}

function fitLine(points: { t: number; y: number }[], confidence: 0.8 | 0.9 | 0.95): Line | undefined {
  const n = points.length;
  if (n < 5) return undefined;
  const tbar = points.reduce((s, p) => s + p.t, 0) / n;
  const ybar = points.reduce((s, p) => s + p.y, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (const p of points) {
    sxx += (p.t - tbar) ** 2;
    sxy += (p.t - tbar) * (p.y - ybar);
  }
  if (sxx <= 0) return undefined;
  const b = sxy / sxx;
  const sse = points.reduce((s, p) => s + (p.y - ybar - b * (p.t - tbar)) ** 2, 0);
  // a floor on the spread: block medians of a clean simulator are closer than any real trend is
  const sigma = Math.max(Math.sqrt(sse / (n - 2)), 0.005);
  return { a: ybar, b, tbar, sxx, sigma, n, q: tQuantile(confidence, n - 2), points };
}

/** log-velocity = c0 + c1 t + c2 t² (t in hours) and the prediction half-band of a block median; undefined when singular. */
function fitQuadratic(points: { t: number; y: number }[], confidence: 0.8 | 0.9 | 0.95) {
  const n = points.length;
  if (n < 6) return undefined;
  const m = [0, 0, 0, 0, 0].map((_, k) => points.reduce((s, p) => s + p.t ** k, 0));
  const r = [0, 1, 2].map((k) => points.reduce((s, p) => s + p.t ** k * p.y, 0));
  const a = [0, 1, 2].map((i) => [0, 1, 2].map((j) => m[i + j] as number));
  const inv = invert3(a);
  if (!inv) return undefined;
  const c = inv.map((row) => row.reduce((s, x, j) => s + x * (r[j] as number), 0));
  const at = (t: number) => (c[0] as number) + (c[1] as number) * t + (c[2] as number) * t * t;
  const sse = points.reduce((s, p) => s + (p.y - at(p.t)) ** 2, 0);
  const sigma = Math.max(Math.sqrt(sse / (n - 3)), 0.005);
  const q = tQuantile(confidence, n - 3);
  const band = (t: number) => {
    const x = [1, t, t * t];
    const v = x.reduce((s, xi, i) => s + xi * x.reduce((s2, xj, j) => s2 + (inv[i]?.[j] as number) * xj, 0), 0);
    return q * sigma * Math.sqrt(1 + v);
  };
  return { at, band, curvature: c[2] as number };
}

function invert3(a: number[][]): number[][] | undefined {
  const [[a0, a1, a2], [b0, b1, b2], [c0, c1, c2]] = a as [[number, number, number], [number, number, number], [number, number, number]];
  const det = a0 * (b1 * c2 - b2 * c1) - a1 * (b0 * c2 - b2 * c0) + a2 * (b0 * c1 - b1 * c0);
  if (Math.abs(det) < 1e-12) return undefined;
  const cof = [
    [b1 * c2 - b2 * c1, a2 * c1 - a1 * c2, a1 * b2 - a2 * b1],
    [b2 * c0 - b0 * c2, a0 * c2 - a2 * c0, a2 * b0 - a0 * b2],
    [b0 * c1 - b1 * c0, a1 * c0 - a0 * c1, a0 * b1 - a1 * b0],
  ];
  return cof.map((row) => row.map((x) => x / det));
}

const yAt = (l: Line, t: number) => l.a + l.b * (t - l.tbar);
const halfBand = (l: Line, t: number) => l.q * l.sigma * Math.sqrt(1 + 1 / l.n + (t - l.tbar) ** 2 / l.sxx);

/** The first t in [from, to] (hours) where f(t) >= 0, f rising through it; undefined when none. */
function firstReach(f: (t: number) => number, from: number, to: number): number | undefined {
  if (f(from) >= 0) return from;
  const steps = 400;
  let prev = from;
  for (let i = 1; i <= steps; i++) {
    const t = from + ((to - from) * i) / steps;
    if (f(t) >= 0) {
      let lo = prev;
      let hi = t;
      for (let k = 0; k < 40; k++) {
        const mid = (lo + hi) / 2;
        if (f(mid) >= 0) hi = mid;
        else lo = mid;
      }
      return hi;
    }
    prev = t;
  }
  return undefined;
}

/** The block medians (hours since `now`, log-velocity) of the samples in (now - windowMs, now]. */
function blockPoints(history: readonly VelocityPoint[], now: number, windowMs: number, blocks: number, minPerBlock: number) {
  const start = now - windowMs;
  const width = windowMs / blocks;
  const bins: VelocityPoint[][] = Array.from({ length: blocks }, () => []);
  for (const p of history) {
    if (p.ts <= start || p.ts > now || !(p.v > 0)) continue;
    bins[Math.min(blocks - 1, Math.floor((p.ts - start) / width))]?.push(p);
  }
  return bins
    .filter((b) => b.length >= minPerBlock)
    .map((b) => ({ t: (median(b.map((p) => p.ts)) - now) / 3_600_000, y: median(b.map((p) => Math.log(p.v))) }));
}

/**
 * The forecast of the next zone boundary's crossing from the velocity measured while running
 * (oldest first or not), at `now`, for the zone limits [A/B, B/C, C/D].
 */
export function forecastCrossing(
  history: readonly VelocityPoint[],
  limits: readonly [number, number, number],
  now: number,
  options: RulOptions = {},
): RulForecast {
  const o = { ...RUL_DEFAULTS, ...options };
  const horizonH = o.horizonMs / 3_600_000;
  let best: { trend: RulTrend; spread: number } | undefined;
  let reason = "not enough velocity measured while running";
  // a short window follows a fast wear, but on a long history it fits noise: windows shorter than an
  // eighth of the history measured (up to the longest window) are not tried
  const longest = Math.max(...o.windowsMs);
  let earliest = now;
  for (const p of history) if (p.ts > now - longest && p.ts < earliest) earliest = p.ts;
  // ... unless the latest level has broken away above the longest window's trend (beyond its band):
  // the wear changed pace (a sudden fault, the demo's minutes-long degradation after hours of healthy
  // running), the long windows describe the past, and only windows whose trend explains the latest
  // level are tried
  const latest = blockPoints(history, now, Math.min(...o.windowsMs), o.blocks, o.minPerBlock).at(-1);
  const reference = fitLine(blockPoints(history, now, longest, o.blocks, o.minPerBlock), o.confidence);
  const above = (l: Line) => latest !== undefined && latest.y > yAt(l, latest.t) + halfBand(l, latest.t);
  const broken = reference !== undefined && above(reference);
  for (const windowMs of o.windowsMs) {
    if (!broken && windowMs < (now - earliest) / 8) continue;
    const line = fitLine(blockPoints(history, now, windowMs, o.blocks, o.minPerBlock), o.confidence);
    if (!line) continue;
    if (broken && above(line)) {
      reason = "the velocity broke away from its trend";
      continue;
    }
    const level = Math.exp(yAt(line, 0));
    const [, bc, cd] = limits;
    if (level >= cd || o.measuredZone === "D") {
      reason = "already in zone D";
      continue;
    }
    const boundary = level < bc && o.measuredZone !== "C" ? bc : cd;
    const target = Math.log(boundary);
    // a trend only when the slope is positive at the interval's confidence
    if (line.b - (line.q * line.sigma) / Math.sqrt(line.sxx) <= 0) {
      reason = "no rising trend";
      continue;
    }
    const eta = (target - yAt(line, 0)) / line.b;
    if (eta > horizonH) {
      reason = "no crossing within the horizon";
      continue;
    }
    let low = firstReach((t) => yAt(line, t) + halfBand(line, t) - target, 0, eta) ?? 0;
    // wear accelerates: when the log-velocity curves upwards, the quadratic's band may reach the
    // boundary sooner, and the interval starts there
    const quad = fitQuadratic(line.points, o.confidence);
    if (quad && quad.curvature > 0) low = Math.min(low, firstReach((t) => quad.at(t) + quad.band(t) - target, 0, eta) ?? low);
    const high = firstReach((t) => yAt(line, t) - halfBand(line, t) - target, eta, Math.max(eta * 20, 1)) ?? Number.POSITIVE_INFINITY;
    const spread = Number.isFinite(high) ? Math.log((high + 0.01) / (low + 0.01)) : Number.POSITIVE_INFINITY;
    const toMs = (h: number) => now + h * 3_600_000;
    const end = Number.isFinite(high) ? high : eta * 2;
    const firstT = line.points[0]?.t ?? 0;
    const fitted = Array.from({ length: 25 }, (_, i) => firstT + ((end - firstT) * i) / 24).map((t) => ({ ts: toMs(t), v: Math.exp(yAt(line, t)) }));
    const trend: RulTrend = {
      kind: "trend",
      boundary,
      zone: boundary === bc ? "C" : "D",
      eta: toMs(eta),
      etaLow: toMs(low),
      etaHigh: Number.isFinite(high) ? toMs(high) : Number.POSITIVE_INFINITY,
      growthPerHour: Math.exp(line.b) - 1,
      points: line.points.map((p) => ({ ts: toMs(p.t), v: Math.exp(p.y) })),
      fitted,
      windowMs,
      at: now,
    };
    if (!best || spread < best.spread) best = { trend, spread };
  }
  return best ? best.trend : { kind: "none", reason, at: now };
}

const hours = (ms: number) => {
  const h = ms / 3_600_000;
  return h < 1 ? `${Math.max(1, Math.round(h * 60))} min` : `${h.toFixed(h < 10 ? 1 : 0)} h`;
};

/** "zone C in ~5.2 h (3.9 h–7.0 h)": the forecast as a technician reads it. */
export function describeForecast(f: RulTrend): string {
  const high = Number.isFinite(f.etaHigh) ? hours(f.etaHigh - f.at) : "open";
  return `zone ${f.zone} (${f.boundary} mm/s) in ~${hours(f.eta - f.at)} (${hours(f.etaLow - f.at)}–${high}, ${Math.round(RUL_DEFAULTS.confidence * 100)} % interval)`;
}
