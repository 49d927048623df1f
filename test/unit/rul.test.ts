import { describe, expect, it } from "vitest";
import type { MachineInfo } from "#lib/adapters/db/plant.ts";
import { withForecast, zoneSignal } from "#lib/domain/pdm/alert-rules.ts";
import { median } from "#lib/domain/pdm/robust-stats.ts";
import { describeForecast, forecastCrossing, type RulTrend, type VelocityPoint } from "#lib/domain/pdm/rul.ts";
import { ZONE_LIMITS } from "#lib/domain/vibration/iso10816.ts";
import { MachineSim } from "#lib/features/sim/machine.ts";
import { parseDegrade } from "#lib/features/sim/run.ts";
import { parseConfig } from "#lib/platform/config.ts";
import { testMachine } from "../support/machine.ts";

const H = 3_600_000;
const limits = [1.4, 2.8, 4.5] as const;

describe("forecastCrossing", () => {
  const t0 = Date.parse("2026-11-25T08:00:00Z");
  const series = (f: (h: number) => number, hours: number, everyS = 10) =>
    Array.from({ length: Math.floor((hours * 3600) / everyS) }, (_, i) => ({ ts: t0 + i * everyS * 1000, v: f((i * everyS) / 3600) }));

  it("finds the crossing of a clean exponential growth inside its interval", () => {
    // 1.0 mm/s growing 20 %/h reaches 2.8 mm/s at ln(2.8)/ln(1.2) = 5.65 h
    const now = t0 + 3 * H;
    const f = forecastCrossing(
      series((h) => 1.2 ** h, 3),
      limits,
      now,
    );
    expect(f.kind).toBe("trend");
    const t = f as RulTrend;
    expect(t.zone).toBe("C");
    expect((t.eta - t0) / H).toBeCloseTo(Math.log(2.8) / Math.log(1.2), 1);
    expect(t.etaLow).toBeLessThanOrEqual(t.eta);
    expect(t.etaHigh).toBeGreaterThanOrEqual(t.eta);
    expect(t.growthPerHour).toBeCloseTo(0.2, 2);
    expect(describeForecast(t)).toMatch(/^zone C \(2.8 mm\/s\) in ~2\.\d h \(/);
  });

  it("forecasts zone D once the velocity is in zone C, and nothing once in D", () => {
    const f = forecastCrossing(
      series((h) => 3 * 1.1 ** h, 2),
      limits,
      t0 + 2 * H,
    );
    expect(f.kind === "trend" && f.zone).toBe("D");
    expect(
      forecastCrossing(
        series(() => 5, 2),
        limits,
        t0 + 2 * H,
      ),
    ).toMatchObject({ kind: "none", reason: "already in zone D" });
  });

  it("forecasts zone D for a machine measured in zone C while its fitted trend is still below B/C (a zone C alert never forecasts zone C)", () => {
    // the same growth as above, 3 h in: the trend's level is 1.73 mm/s, below B/C (2.8)
    const rising = series((h) => 1.2 ** h, 3);
    const now = t0 + 3 * H;
    expect((forecastCrossing(rising, limits, now) as RulTrend).zone).toBe("C");
    const inC = forecastCrossing(rising, limits, now, { measuredZone: "C" }) as RulTrend;
    expect(inC.zone).toBe("D");
    expect((inC.eta - t0) / H).toBeCloseTo(Math.log(4.5) / Math.log(1.2), 1);
    expect(forecastCrossing(rising, limits, now, { measuredZone: "D" })).toMatchObject({ kind: "none", reason: "already in zone D" });
  });

  it("says no trend for a flat noisy velocity, and for too little data", () => {
    let s = 7;
    const noise = () => {
      s = (s * 16807) % 2147483647;
      return 1 + 0.1 * (s / 2147483647 - 0.5);
    };
    expect(
      forecastCrossing(
        series(() => 1.5 * noise(), 4),
        limits,
        t0 + 4 * H,
      ).kind,
    ).toBe("none");
    expect(
      forecastCrossing(
        series(() => 1.5, 0.02),
        limits,
        t0 + 0.02 * H,
      ),
    ).toMatchObject({ kind: "none", reason: /not enough/ });
  });
});

describe("withForecast", () => {
  it("adds the forecast to the alert's explanation, and nothing without a trend", () => {
    const s = zoneSignal("acme/dresden/machining/line-1/pump-01", { vibrationGroup: "GROUP_2", foundation: "RIGID" }, { v: 3.2, ts: 0 });
    if (!s) throw new Error("zone C expected");
    const at = Date.parse("2026-11-25T08:00:00Z");
    const f: RulTrend = {
      kind: "trend",
      boundary: 4.5,
      zone: "D",
      eta: at + 5.2 * H,
      etaLow: at + 3.9 * H,
      etaHigh: at + 7 * H,
      growthPerHour: 0.1,
      points: [],
      fitted: [],
      windowMs: H,
      at,
    };
    expect(withForecast(s, f).explanation).toBe(`${s.explanation}; velocity forecast: zone D (4.5 mm/s) in ~5.2 h (3.9 h–7.0 h, 90 % interval)`);
    expect(withForecast(s, { kind: "none", reason: "no rising trend", at })).toBe(s);
    expect(withForecast(s, undefined)).toBe(s);
  });
});

// The simulator's bearing degradations, forecast at several times before each crossing.
const machine = (vibrationGroup: MachineInfo["vibrationGroup"], foundation: MachineInfo["foundation"]): MachineInfo =>
  testMachine({
    slug: "pump-01",
    name: "Pump",
    idealCycleTimeS: 1,
    vibrationGroup,
    foundation,
    nominalSpeedRpm: 2950,
    bearingRollingElements: 9,
    bearingBallDiameterMm: 7.94,
    bearingPitchDiameterMm: 39.04,
    bearingContactAngleDeg: 0,
    hasWaveformSensor: false,
  });

/** The running velocity of a run to failure, sampled every `everyS`. */
function runToFailure(m: MachineInfo, seed: number, failureH: number, everyS: number): VelocityPoint[] {
  const sim = new MachineSim(m, { seed, waveformEvery: 0, degradeToFailureMs: failureH * H });
  const start = Date.parse("2026-11-25T00:00:00Z");
  const out: VelocityPoint[] = [];
  for (let t = start; t < start + failureH * H; t += everyS * 1000) {
    for (const msg of sim.tick(t)) {
      if (msg.channel === "vibration" && (sim.state === "running" || sim.state === "low_speed"))
        out.push({ ts: t, v: msg.payload.velocity_rms_mm_s as number });
    }
  }
  return out;
}

/**
 * The true crossing: the first time the median of the running velocity over the 10 minutes centred
 * on it reaches the boundary (centred: a trailing median would lag the rising velocity by 5 minutes).
 */
function trueCrossing(points: readonly VelocityPoint[], boundary: number): number | undefined {
  let j = 0;
  let k = 0;
  for (const p of points) {
    while ((points[j] as VelocityPoint).ts < p.ts - 5 * 60_000) j++;
    while (k < points.length && (points[k] as VelocityPoint).ts <= p.ts + 5 * 60_000) k++;
    if (k - j >= 10 && median(points.slice(j, k).map((q) => q.v)) >= boundary) return p.ts;
  }
  return undefined;
}

describe("RUL coverage on the simulator's degradations", () => {
  it("the interval holds the true crossing time of most forecasts", () => {
    const runs: [MachineInfo, number, number][] = [
      [machine("GROUP_2", "RIGID"), 1, 1],
      [machine("GROUP_2", "RIGID"), 2, 3],
      [machine("GROUP_1", "RIGID"), 3, 6],
      [machine("GROUP_1", "FLEXIBLE"), 4, 12],
      [machine("GROUP_2", "FLEXIBLE"), 5, 24],
      [machine("GROUP_1", "RIGID"), 6, 48],
    ];
    let forecasts = 0;
    let covered = 0;
    let none = 0;
    const errors: number[] = [];
    for (const [m, seed, failureH] of runs) {
      const points = runToFailure(m, seed, failureH, failureH <= 3 ? 2 : 10);
      const start = points[0]?.ts ?? 0;
      const [, bc, cd] = ZONE_LIMITS[m.vibrationGroup][m.foundation];
      const crossC = trueCrossing(points, bc);
      const crossD = trueCrossing(points, cd);
      const plan: [number, number][] = [];
      if (crossC) for (const frac of [0.5, 0.6, 0.7, 0.8, 0.9]) plan.push([start + (crossC - start) * frac, crossC]);
      if (crossC && crossD) for (const frac of [0.25, 0.5, 0.75]) plan.push([crossC + 30 * 60_000 + (crossD - crossC - 30 * 60_000) * frac, crossD]);
      for (const [at, truth] of plan) {
        const f = forecastCrossing(
          points.filter((p) => p.ts <= at),
          ZONE_LIMITS[m.vibrationGroup][m.foundation],
          at,
        );
        if (f.kind === "none") {
          none++;
          continue;
        }
        if (f.boundary !== (truth === crossC ? bc : cd)) {
          none++;
          continue;
        }
        forecasts++;
        if (f.etaLow <= truth && truth <= f.etaHigh) covered++;
        errors.push(Math.abs(f.eta - truth) / H);
      }
    }
    const coverage = covered / forecasts;
    console.log(
      `rul coverage=${coverage.toFixed(2)} forecasts=${forecasts} no_forecast=${none} median_abs_error_h=${median(errors).toFixed(2)} (90 % intervals, ${runs.length} runs to failure)`,
    );
    expect(forecasts).toBeGreaterThan(20);
    // a 90 % interval on a model (exponential) that is not the simulator's (cubic wear): well below
    // 90 % would mean the interval misleads
    expect(coverage).toBeGreaterThanOrEqual(0.7);
  });
});

describe("the demo's degrading machine (SIM_DEMO_DEGRADE, andon up)", () => {
  it("reaches zone C, with a forecast, within ten minutes of the simulator's start on a weekday", () => {
    const cfg = parseConfig({});
    // Dresden line-1's pump-01 as prisma/seed/demo-plant.json has it, in its weekday 3-shift calendar
    const demo = machine("GROUP_2", "FLEXIBLE");
    demo.hasWaveformSensor = true;
    demo.shifts = [{ name: "all", weekdays: [1, 2, 3, 4, 5], start: "06:00", end: "06:00", breaks: [] }];
    const hours = parseDegrade(cfg.SIM_DEMO_DEGRADE, [demo]).get(demo.key);
    expect(hours).toBeDefined();
    const sim = new MachineSim(demo, { seed: cfg.SIM_SEED, waveformEvery: 0, degradeToFailureMs: (hours as number) * H });
    const start = Date.parse("2026-12-02T10:00:00Z"); // a Wednesday
    const [, bc] = ZONE_LIMITS.GROUP_2.FLEXIBLE;
    const points: VelocityPoint[] = [];
    let zoneC: number | undefined;
    let forecast = "";
    for (let t = start; zoneC === undefined && t < start + 15 * 60_000; t += cfg.SIM_INTERVAL_MS) {
      for (const msg of sim.tick(t)) {
        if (msg.channel !== "vibration" || !(sim.state === "running" || sim.state === "low_speed")) continue;
        const v = msg.payload.velocity_rms_mm_s as number;
        points.push({ ts: t, v });
        if (v >= bc) {
          zoneC = t;
          const f = forecastCrossing(points, ZONE_LIMITS.GROUP_2.FLEXIBLE, t);
          forecast = f.kind === "trend" ? describeForecast(f) : f.reason;
        }
      }
    }
    console.log(`demo: ${demo.key} first velocity in zone C ${((zoneC ?? Number.NaN) - start) / 60_000} min after the start; forecast then: ${forecast}`);
    expect(zoneC).toBeDefined();
    // the scan runs every 30 s: the alert follows within a minute; 10 minutes is the README's promise
    expect((zoneC as number) - start).toBeLessThan(9 * 60_000);
    expect(forecast).toMatch(/^zone [CD] /);
  });

  it("with hours of healthy running before it (as live, after the history fill), the forecast at zone C is the fast wear's, in minutes", () => {
    const cfg = parseConfig({});
    const demo = machine("GROUP_2", "FLEXIBLE");
    demo.shifts = [{ name: "all", weekdays: [1, 2, 3, 4, 5], start: "06:00", end: "06:00", breaks: [] }];
    const hours = parseDegrade(cfg.SIM_DEMO_DEGRADE, [demo]).get(demo.key) as number;
    const start = Date.parse("2026-12-02T10:00:00Z");
    const points: VelocityPoint[] = [];
    const running = (sim: MachineSim, from: number, to: number, stopAt?: (v: number, t: number) => boolean) => {
      for (let t = from; t < to; t += cfg.SIM_INTERVAL_MS) {
        for (const msg of sim.tick(t)) {
          if (msg.channel !== "vibration" || !(sim.state === "running" || sim.state === "low_speed")) continue;
          const v = msg.payload.velocity_rms_mm_s as number;
          points.push({ ts: t, v });
          if (stopAt?.(v, t)) return t;
        }
      }
      return undefined;
    };
    // 4 h of the same machine healthy, then the demo's accelerated degradation from `start`
    running(new MachineSim(demo, { seed: cfg.SIM_SEED, waveformEvery: 0 }), start - 4 * H, start);
    const sim = new MachineSim(demo, { seed: cfg.SIM_SEED, waveformEvery: 0, degradeToFailureMs: hours * H });
    const [, bc, cd] = ZONE_LIMITS.GROUP_2.FLEXIBLE;
    const zoneC = running(sim, start, start + 15 * 60_000, (v) => v >= bc) as number;
    expect(zoneC).toBeDefined();
    const f = forecastCrossing(points, ZONE_LIMITS.GROUP_2.FLEXIBLE, zoneC, { measuredZone: "C" });
    const zoneD = running(sim, zoneC + cfg.SIM_INTERVAL_MS, start + 30 * 60_000, (v) => v >= cd);
    const said = f.kind === "trend" ? describeForecast(f) : f.reason;
    console.log(
      `demo after 4 h healthy: zone C at ${((zoneC - start) / 60_000).toFixed(1)} min, forecast then: ${said}; first velocity in zone D ${zoneD === undefined ? "never (failed first)" : `${((zoneD - zoneC) / 60_000).toFixed(1)} min later`}`,
    );
    expect(f.kind).toBe("trend");
    if (f.kind !== "trend") return;
    // the wear that took the machine from zone A to C in minutes: its forecast is minutes, not hours
    expect(f.eta - zoneC).toBeLessThan(H);
    expect(f.windowMs).toBeLessThanOrEqual(30 * 60_000);
  });
});
