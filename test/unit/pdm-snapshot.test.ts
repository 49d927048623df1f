// One waveform snapshot through features and the snapshot detectors (lib/domain/pdm/snapshot.ts), and
// the detector options the snapshot detectors use: one-sided, deadband, lastOut.
import { describe, expect, it } from "vitest";
import { DETECTOR_SNAPSHOT_V1, DETECTOR_V3, DETECTOR_V4, RobustEwmaDetector } from "#lib/domain/pdm/detector.ts";
import { median, medianAbsDeviationSorted } from "#lib/domain/pdm/robust-stats.ts";
import { analyseSnapshot, snapshotDetectors, snapshotFeatures } from "#lib/domain/pdm/snapshot.ts";
import { mulberry32 } from "#lib/features/sim/prng.ts";
import { synthWaveform } from "#lib/features/sim/waveform.ts";

const bearingCols = { bearingRollingElements: 9, bearingBallDiameterMm: 7.94, bearingPitchDiameterMm: 39.04, bearingContactAngleDeg: 0 };
const machine = { nominalSpeedRpm: 2950, bearing: { rollingElements: 9, ballDiameterMm: 7.94, pitchDiameterMm: 39.04, contactAngleDeg: 0 } };
const wave = (rng: () => number, degradation: number) =>
  synthWaveform(rng, { sampleRateHz: 10240, n: 4096, speedRpm: 2950, degradation, bearing: bearingCols });

describe("detector direction and deadband", () => {
  const run = (params: typeof DETECTOR_V3, offset: number) => {
    const d = new RobustEwmaDetector(params);
    const noise = (i: number) => ((i * 7919) % 101) / 100 - 0.5; // deterministic, ±0.5
    let opens = 0;
    for (let i = 0; i < 300; i++) if (d.update(i, 10 + noise(i) + (i >= 150 ? offset : 0))?.kind === "open") opens++;
    return { opens, lastOut: d.state.lastOut };
  };

  it("a one-sided detector alarms on a rise and never on a fall; a two-sided one on both", () => {
    expect(run(DETECTOR_SNAPSHOT_V1, 5).opens).toBe(1);
    expect(run(DETECTOR_SNAPSHOT_V1, -5)).toEqual({ opens: 0, lastOut: false });
    expect(run({ ...DETECTOR_SNAPSHOT_V1, direction: "both" }, -5).opens).toBe(1);
  });

  it("the deadband: v3 alarms on a 7 % shift, v4 (10 %) does not; lastOut says the latest sample is out", () => {
    const params = { ...DETECTOR_V3, baselineSize: 60, refreshEvery: 10 };
    expect(run(params, 0.7)).toEqual({ opens: 1, lastOut: true });
    expect(run({ ...params, minRelativeDeviation: DETECTOR_V4.minRelativeDeviation as number }, 0.7).opens).toBe(0);
  });
});

describe("the detectors' MAD without sorting the deviations", () => {
  it("equals the median of the sorted |x − median| on odd and even sizes, ties and constant windows", () => {
    const rng = mulberry32(3);
    const cases = [[5], [1, 1, 1, 1], [0, 0, 1, 5], [-2, 7, 7, 7, 9]];
    for (let t = 0; t < 200; t++) cases.push(Array.from({ length: 1 + (t % 61) }, () => Math.round(rng() * 20) / (t % 3 ? 4 : 1) - 3));
    for (const xs of cases) {
      const s = [...xs].sort((a, b) => a - b);
      const m = median(s);
      expect(medianAbsDeviationSorted(Float64Array.from(s), m)).toBe(median(s.map((x) => Math.abs(x - m))));
    }
  });
});

describe("analyseSnapshot", () => {
  it("learns on healthy snapshots, then an outer-race defect opens the envelope-at-BPFO alert within a few snapshots", () => {
    const rng = mulberry32(5);
    const d = snapshotDetectors();
    const opened: string[] = [];
    for (let i = 0; i < 90; i++) {
      const r = analyseSnapshot({ ts: i, sampleRateHz: 10240, unit: "g", samples: wave(rng, i < 70 ? 0 : 0.2) }, machine, d, true);
      for (const e of r?.events ?? []) if (e.kind === "open") opened.push(`${e.feature}@${i}`);
    }
    expect(opened.every((o) => Number(o.split("@")[1]) >= 70)).toBe(true);
    const bpfo = opened.find((o) => o.startsWith("envelope_bpfo_g@"));
    expect(Number(bpfo?.split("@")[1])).toBeLessThan(75);
  });

  it("a stopped machine's snapshots are neither learned nor scored", () => {
    const rng = mulberry32(6);
    const d = snapshotDetectors();
    for (let i = 0; i < 90; i++) analyseSnapshot({ ts: i, sampleRateHz: 10240, unit: "g", samples: wave(rng, 0.5) }, machine, d, false);
    expect(d.envelope_bpfo_g.state.ready).toBe(false);
    expect(d.envelope_bpfo_g.snapshot().window).toEqual([]);
  });

  it("converts m/s² to g and leaves velocity waveforms alone", () => {
    const g = wave(mulberry32(7), 0.1);
    const inG = snapshotFeatures({ ts: 0, sampleRateHz: 10240, unit: "g", samples: g }, machine);
    const inMs2 = snapshotFeatures({ ts: 0, sampleRateHz: 10240, unit: "m_s2", samples: g.map((v) => v * 9.80665) }, machine);
    expect(inMs2?.accelRmsG).toBeCloseTo(inG?.accelRmsG as number, 9);
    expect(inMs2?.envelopeG?.bpfo).toBeCloseTo(inG?.envelopeG?.bpfo as number, 9);
    const d = snapshotDetectors();
    expect(analyseSnapshot({ ts: 0, sampleRateHz: 10240, unit: "mm_s", samples: g }, machine, d, true)).toBeUndefined();
    expect(d.velocity_rms_mm_s.snapshot().window).toEqual([]);
  });
});
