// andon bench pdm: waveform snapshots of 4,096 samples (the simulator's synthesis: shaft tones and
// noise, plus bearing impacts when degraded) through exactly what the waveform scan runs per
// snapshot (lib/domain/pdm/snapshot.ts: feature extraction with the envelope at the bearing defect
// frequencies, then the drift detector of every feature). Pure CPU on one thread, so the rate is
// what one core does. The baseline, measured in the same run, is one real FFT of the same samples
// (fft.js, plan made once): the least any spectral feature costs.
import FFT from "fft.js";
import { DETECTOR_SNAPSHOT_V1 } from "#lib/domain/pdm/detector.ts";
import { analyseSnapshot, type Snapshot, type SnapshotMachine, snapshotDetectors } from "#lib/domain/pdm/snapshot.ts";
import { mulberry32 } from "#lib/features/sim/prng.ts";
import { synthWaveform } from "#lib/features/sim/waveform.ts";

export interface PdmBenchOptions {
  snapshots: number;
  samples: number;
  say: (m: string) => void;
}

export interface PdmBenchResult {
  snapshotsPerS: number;
  baselinePerS: number;
  ratio: number;
  msPerSnapshot: number;
  /** snapshots per second of this process's CPU time (user + system): unaffected by other load on the machine */
  snapshotsPerCpuS: number;
  alertsOpened: number;
}

const FS = 10240;
const SPEED = 2950;
// the demo plant's pumps: a 6205-like bearing
const BEARING = { bearingRollingElements: 9, bearingBallDiameterMm: 7.94, bearingPitchDiameterMm: 39.04, bearingContactAngleDeg: 0 };
const MACHINE: SnapshotMachine = {
  nominalSpeedRpm: SPEED,
  bearing: { rollingElements: 9, ballDiameterMm: 7.94, pitchDiameterMm: 39.04, contactAngleDeg: 0 },
};

export function benchPdm(o: PdmBenchOptions): PdmBenchResult {
  const rng = mulberry32(7);
  // 64 distinct snapshots, generated before timing: 32 healthy, 32 degraded from 0.05 to 1
  const pool: number[][] = [];
  for (let i = 0; i < 64; i++) {
    const degradation = i < 32 ? 0 : (i - 31) / 32;
    pool.push(synthWaveform(rng, { sampleRateHz: FS, n: o.samples, speedRpm: SPEED, degradation, bearing: BEARING }));
  }
  o.say(`${pool.length} distinct snapshots of ${o.samples} samples at ${FS} Hz (half healthy, half degraded); ${o.snapshots} of each pass`);

  // baseline: the FFT alone
  const fft = new FFT(o.samples);
  const out = fft.createComplexArray();
  let sink = 0;
  const t0 = performance.now();
  for (let i = 0; i < o.snapshots; i++) {
    fft.realTransform(out, pool[i % pool.length] as number[]);
    sink += out[2] as number;
  }
  const baselineS = (performance.now() - t0) / 1000;
  const baselinePerS = o.snapshots / baselineS;
  o.say(`baseline (one real FFT per snapshot): ${baselinePerS.toFixed(0)} snapshots/s`);

  // pipeline: healthy snapshots first (the detectors learn), then alternating, as a machine would not
  // but so that every pass sees both kinds; the detectors run state-aware as in the scan (running)
  const detectors = snapshotDetectors();
  let opened = 0;
  const step = Math.max(1, Math.floor(o.snapshots / 4));
  const c1 = process.cpuUsage();
  const t1 = performance.now();
  for (let i = 0; i < o.snapshots; i++) {
    const k = i < DETECTOR_SNAPSHOT_V1.baselineSize ? i % 32 : i % pool.length;
    const s: Snapshot = { ts: i * 10_000, sampleRateHz: FS, unit: "g", samples: pool[k] as number[], speedRpm: SPEED };
    const r = analyseSnapshot(s, MACHINE, detectors, true);
    opened += r?.events.filter((e) => e.kind === "open").length ?? 0;
    if ((i + 1) % step === 0) o.say(`pipeline ${i + 1}/${o.snapshots} (${((i + 1) / ((performance.now() - t1) / 1000)).toFixed(0)} snapshots/s so far)`);
  }
  const pipelineS = (performance.now() - t1) / 1000;
  const cpu = process.cpuUsage(c1);
  const cpuS = (cpu.user + cpu.system) / 1e6;
  const snapshotsPerS = o.snapshots / pipelineS;
  if (Number.isNaN(sink)) o.say("(unreachable)");
  return {
    snapshotsPerS,
    baselinePerS,
    ratio: baselinePerS / snapshotsPerS,
    msPerSnapshot: (pipelineS * 1000) / o.snapshots,
    snapshotsPerCpuS: o.snapshots / cpuS,
    alertsOpened: opened,
  };
}
