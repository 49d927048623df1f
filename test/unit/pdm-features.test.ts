// Vibration features against signals with a known answer.
import { describe, expect, it } from "vitest";
import { defectFrequencies, waveformFeatures } from "#lib/domain/pdm/features.ts";

const FS = 6400;
const N = 8192; // line spacing 0.78125 Hz: 50 Hz and 100 Hz fall on lines
const sine = (amp: number, hz: number, phase = 0) => Array.from({ length: N }, (_, i) => amp * Math.sin((2 * Math.PI * hz * i) / FS + phase));
const bearing = { rollingElements: 9, ballDiameterMm: 7.94, pitchDiameterMm: 39.04, contactAngleDeg: 0 };

describe("waveform features", () => {
  it("a 1 g sine at 50 Hz: RMS 1/√2 g, crest √2, kurtosis 1.5, velocity 1/√2 · 9.80665 / (2π·50) m/s", () => {
    const f = waveformFeatures({ sampleRateHz: FS, samples: sine(1, 50) });
    expect(f.samples).toBe(N);
    expect(f.accelRmsG).toBeCloseTo(1 / Math.SQRT2, 6);
    expect(f.crestFactor).toBeCloseTo(Math.SQRT2, 3);
    expect(f.kurtosis).toBeCloseTo(1.5, 3);
    // 22.07 mm/s; the Hann main lobe spreads the tone over lines 49.2-50.8 Hz, each divided by its own 2πf: 0.01 % off
    expect(f.velocityRmsMmS).toBeCloseTo(((9.80665 / (2 * Math.PI * 50)) * 1000) / Math.SQRT2, 2);
  });

  it("velocity RMS counts only 10–1000 Hz", () => {
    // 0.1 g at 4 Hz would be 3.9 mm/s RMS of velocity if counted; the window keeps its leakage small
    const low = waveformFeatures({ sampleRateHz: FS, samples: sine(0.1, 4) });
    const high = waveformFeatures({ sampleRateHz: FS, samples: sine(1, 2000) });
    expect(low.velocityRmsMmS).toBeLessThan(0.5);
    expect(high.velocityRmsMmS).toBeLessThan(0.05);
  });

  it("puts a 1× component in the 1× band and nothing in the 2× band", () => {
    const f = waveformFeatures({ sampleRateHz: FS, samples: sine(0.5, 50), speedRpm: 3000 });
    expect(f.band1xG).toBeCloseTo(0.5 / Math.SQRT2, 3);
    expect(f.band2xG).toBeLessThan(0.01);
  });

  it("computes the bearing defect frequencies from the geometry", () => {
    // 6205-like: r = 7.94 / 39.04 = 0.20338; at 1800 rpm (30 Hz)
    const d = defectFrequencies(1800, bearing);
    const r = 7.94 / 39.04;
    expect(d.ftf).toBeCloseTo(15 * (1 - r), 9);
    expect(d.bpfo).toBeCloseTo(9 * 15 * (1 - r), 9); // 107.5 Hz
    expect(d.bpfi).toBeCloseTo(9 * 15 * (1 + r), 9); // 162.5 Hz
    expect(d.bsf).toBeCloseTo((39.04 / (2 * 7.94)) * 30 * (1 - r * r), 9);
  });

  it("finds an outer-race fault in the envelope spectrum: a 3 kHz resonance modulated at BPFO", () => {
    const { bpfo } = defectFrequencies(1800, bearing);
    const m = 0.6;
    const x = Array.from({ length: N }, (_, i) => {
      const t = i / FS;
      return (1 + m * Math.cos(2 * Math.PI * bpfo * t)) * 0.2 * Math.cos(2 * Math.PI * 3000 * t);
    });
    const f = waveformFeatures({ sampleRateHz: FS, samples: x, speedRpm: 1800, bearing });
    // envelope = 0.2 · (1 + 0.6 cos) → a 0.12 g line at BPFO (off the line grid: within 5 %), little at BPFI
    expect(f.envelopeG?.bpfo).toBeGreaterThan(0.12 * 0.95);
    expect(f.envelopeG?.bpfo).toBeLessThan(0.12 * 1.05);
    expect(f.envelopeG?.bpfi).toBeLessThan(0.02);
    expect(f.velocityRmsMmS).toBeLessThan(1); // the 3 kHz carrier is outside the ISO band
  });

  it("impacts raise kurtosis and crest factor", () => {
    const base = sine(0.1, 50);
    const impacts = base.map((v, i) => (i % 640 === 0 ? v + 2 : v));
    const a = waveformFeatures({ sampleRateHz: FS, samples: base });
    const b = waveformFeatures({ sampleRateHz: FS, samples: impacts });
    expect(b.kurtosis).toBeGreaterThan(10 * a.kurtosis);
    expect(b.crestFactor).toBeGreaterThan(3 * a.crestFactor);
  });

  it("refuses a snapshot it cannot analyse", () => {
    expect(() => waveformFeatures({ sampleRateHz: FS, samples: [1, 2, 3] })).toThrow(/at least 64 samples/);
    expect(() => waveformFeatures({ sampleRateHz: 0, samples: sine(1, 50) })).toThrow(/sample rate/);
  });
});
