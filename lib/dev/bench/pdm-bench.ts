// andon bench pdm: waveform snapshots of 4,096 samples (the simulator's synthesis: shaft tones and
// noise, plus bearing impacts when degraded) through exactly what the waveform scan runs per
// snapshot (lib/domain/pdm/snapshot.ts: feature extraction with the envelope at the bearing defect
// frequencies, then the drift detector of every feature). Pure CPU on one thread, so the rate is
// what one core does. The baseline, measured in the same run (in rounds alternating with the
// pipeline), is one real FFT of the same samples (fft.js, plan made once): the least any spectral
// feature costs; the ratio is the cost of one snapshot in bare FFTs.
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
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
  /** bare real FFTs of the same size per second, measured in the same rounds as the pipeline */
  fftPerS: number;
  /** the cost of one snapshot in bare FFTs: fftPerS / snapshotsPerS */
  ratio: number;
  msPerSnapshot: number;
  /** snapshots per second of this process's CPU time (user + system): unaffected by other load on the machine */
  snapshotsPerCpuS: number;
  fftPerCpuS: number;
  /** the previous bench's baseline (the FFT fed the snapshot's number[] directly), in a fresh worker thread of its own after the rounds */
  oldStyleFftPerS: number;
  alertsOpened: number;
}

const FS = 10240;
const SPEED = 2950;
const ROUNDS = 10;
// the demo plant's pumps: a 6205-like bearing
const BEARING = { bearingRollingElements: 9, bearingBallDiameterMm: 7.94, bearingPitchDiameterMm: 39.04, bearingContactAngleDeg: 0 };
const MACHINE: SnapshotMachine = {
  nominalSpeedRpm: SPEED,
  bearing: { rollingElements: 9, ballDiameterMm: 7.94, pitchDiameterMm: 39.04, contactAngleDeg: 0 },
};

const cpuS = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1e6;

export async function benchPdm(o: PdmBenchOptions): Promise<PdmBenchResult> {
  const rng = mulberry32(7);
  // 64 distinct snapshots, generated before timing: 32 healthy, 32 degraded from 0.05 to 1
  const pool: number[][] = [];
  for (let i = 0; i < 64; i++) {
    const degradation = i < 32 ? 0 : (i - 31) / 32;
    pool.push(synthWaveform(rng, { sampleRateHz: FS, n: o.samples, speedRpm: SPEED, degradation, bearing: BEARING }));
  }
  o.say(`${pool.length} distinct snapshots of ${o.samples} samples at ${FS} Hz (half healthy, half degraded); ${o.snapshots} of each pass`);

  // the baseline: one real FFT of each snapshot, plan made once, fed the same array kinds as the
  // pipeline's transforms (Float64Array in, fft.js' own array out), so the JIT sees one shape
  const fft = new FFT(o.samples);
  const out = fft.createComplexArray();
  const typedPool = pool.map((x) => Float64Array.from(x));
  let sink = 0;
  const bareFft = (i: number) => {
    fft.realTransform(out, typedPool[i % typedPool.length]);
    sink += out[2] as number;
  };
  // pipeline: healthy snapshots first (the detectors learn), then alternating, as a machine would not
  // but so that every pass sees both kinds; the detectors run state-aware as in the scan (running)
  let detectors = snapshotDetectors();
  let opened = 0;
  const snapshot = (i: number) => {
    const k = i < DETECTOR_SNAPSHOT_V1.baselineSize ? i % 32 : i % pool.length;
    const s: Snapshot = { ts: i * 10_000, sampleRateHz: FS, unit: "g", samples: pool[k] as number[], speedRpm: SPEED };
    const r = analyseSnapshot(s, MACHINE, detectors, true);
    for (const e of r?.events ?? []) if (e.kind === "open") opened++;
  };
  // warm-up of both (untimed; the detectors then start afresh)
  for (let i = 0; i < 200; i++) bareFft(i);
  for (let i = 0; i < 200; i++) snapshot(i);
  detectors = snapshotDetectors();
  opened = 0;

  // rounds alternating the two, so that both see the same load on the shared machine
  let fftS = 0;
  let fftCpuS = 0;
  let pipeS = 0;
  let pipeCpuS = 0;
  let done = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const end = Math.round(((r + 1) * o.snapshots) / ROUNDS);
    let c = process.cpuUsage();
    let t = performance.now();
    for (let i = done; i < end; i++) bareFft(i);
    fftS += (performance.now() - t) / 1000;
    fftCpuS += cpuS(process.cpuUsage(c));
    c = process.cpuUsage();
    t = performance.now();
    for (let i = done; i < end; i++) snapshot(i);
    pipeS += (performance.now() - t) / 1000;
    pipeCpuS += cpuS(process.cpuUsage(c));
    done = end;
    o.say(`round ${r + 1}/${ROUNDS}: ${done} snapshots; so far ${(done / pipeS).toFixed(0)} snapshots/s, ${(done / fftS).toFixed(0)} FFTs/s`);
  }
  if (Number.isNaN(sink)) o.say("(unreachable)");
  const oldStyleFftPerS = await oldStyleBaseline(pool, o.snapshots);
  const snapshotsPerS = o.snapshots / pipeS;
  const fftPerS = o.snapshots / fftS;
  return {
    snapshotsPerS,
    fftPerS,
    ratio: fftPerS / snapshotsPerS,
    msPerSnapshot: (pipeS * 1000) / o.snapshots,
    snapshotsPerCpuS: o.snapshots / pipeCpuS,
    fftPerCpuS: o.snapshots / fftCpuS,
    oldStyleFftPerS,
    alertsOpened: opened,
  };
}

/**
 * The previous bench's baseline, for comparison with earlier figures: the FFT fed each snapshot's
 * number[] as is. In a worker thread (a fresh JIT of its own, so neither measurement bends the other's
 * code to two array kinds), with the same warm-up.
 */
function oldStyleBaseline(pool: number[][], count: number): Promise<number> {
  const code = `
    const { parentPort, workerData } = require("node:worker_threads");
    const FFT = require(workerData.fftPath);
    const { pool, count } = workerData;
    const f = new FFT(pool[0].length);
    const out = f.createComplexArray();
    let sink = 0;
    for (let i = 0; i < 200; i++) { f.realTransform(out, pool[i % pool.length]); sink += out[2]; }
    const t = performance.now();
    for (let i = 0; i < count; i++) { f.realTransform(out, pool[i % pool.length]); sink += out[2]; }
    parentPort.postMessage(Number.isNaN(sink) ? 0 : count / ((performance.now() - t) / 1000));`;
  const fftPath = createRequire(import.meta.url).resolve("fft.js");
  return new Promise((resolve, reject) => {
    const w = new Worker(code, { eval: true, workerData: { fftPath, pool, count } });
    w.once("message", (v: number) => resolve(v));
    w.once("error", reject);
  });
}
