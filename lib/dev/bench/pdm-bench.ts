// andon bench pdm: waveform snapshots of 4,096 samples (the simulator's synthesis: shaft tones and
// noise, plus bearing impacts when degraded) through exactly what the waveform scan runs per
// snapshot (lib/domain/pdm/snapshot.ts: feature extraction with the envelope at the bearing defect
// frequencies, then the drift detector of every feature). Pure CPU on one thread, so the rate is
// what one core does. The baseline, measured in the same run (in short rounds alternating with the
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
  /** the previous bench's baseline (the FFT fed the snapshot's number[] directly), in a fresh worker thread of its own after the rounds, in one block */
  oldStyleFftPerS: number;
  oldStyleFftPerCpuS: number;
  alertsOpened: number;
}

const FS = 10240;
const SPEED = 2950;
/** snapshots per round */
const ROUND = 10;
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

  // short rounds alternating the two, each block lasting about as long as the other (the FFT count
  // follows the ratio measured so far): on a shared machine the scheduler then stretches both alike
  // (with equal counts the FFT block was short enough to run within one time slice more often than
  // the pipeline's, which favoured the baseline under load). Each round holds the same work: 10
  // snapshots, one detector refresh (refreshEvery is 10). Wall clock and CPU time are both summed;
  // under heavy load the wall-clock ratio swings with where the preemptions land, the CPU one not.
  let ffts = 0;
  let fftS = 0;
  let fftCpuS = 0;
  let pipeS = 0;
  let pipeCpuS = 0;
  let done = 0;
  let fftsPerRound = ROUND * 5;
  let nextSay = o.snapshots / 4;
  while (done < o.snapshots) {
    const end = Math.min(o.snapshots, done + ROUND);
    let c = process.cpuUsage();
    let t = performance.now();
    for (let i = 0; i < fftsPerRound; i++) bareFft(ffts + i);
    fftS += (performance.now() - t) / 1000;
    fftCpuS += cpuS(process.cpuUsage(c));
    ffts += fftsPerRound;
    c = process.cpuUsage();
    t = performance.now();
    for (let i = done; i < end; i++) snapshot(i);
    pipeS += (performance.now() - t) / 1000;
    pipeCpuS += cpuS(process.cpuUsage(c));
    done = end;
    fftsPerRound = Math.max(ROUND, Math.min(100 * ROUND, Math.round((ROUND * ffts * pipeS) / (fftS * done))));
    if (done >= nextSay) {
      o.say(`${done}/${o.snapshots} snapshots: so far ${(done / pipeS).toFixed(0)} snapshots/s, ${(ffts / fftS).toFixed(0)} FFTs/s`);
      nextSay += o.snapshots / 4;
    }
  }
  if (Number.isNaN(sink)) o.say("(unreachable)");
  const [oldStyleFftPerS, oldStyleFftPerCpuS] = await oldStyleBaseline(pool, ffts);
  const snapshotsPerS = o.snapshots / pipeS;
  const fftPerS = ffts / fftS;
  return {
    snapshotsPerS,
    fftPerS,
    ratio: fftPerS / snapshotsPerS,
    msPerSnapshot: (pipeS * 1000) / o.snapshots,
    snapshotsPerCpuS: o.snapshots / pipeCpuS,
    fftPerCpuS: ffts / fftCpuS,
    oldStyleFftPerS,
    oldStyleFftPerCpuS,
    alertsOpened: opened,
  };
}

/**
 * The previous bench's baseline, for comparison with earlier figures: the FFT fed each snapshot's
 * number[] as is. In a worker thread (a fresh JIT of its own, so neither measurement bends the other's
 * code to two array kinds), with the same warm-up. Its CPU time is the process's (this thread waits
 * meanwhile).
 */
function oldStyleBaseline(pool: number[][], count: number): Promise<[perS: number, perCpuS: number]> {
  const code = `
    const { parentPort, workerData } = require("node:worker_threads");
    const FFT = require(workerData.fftPath);
    const { pool, count } = workerData;
    const f = new FFT(pool[0].length);
    const out = f.createComplexArray();
    let sink = 0;
    for (let i = 0; i < 200; i++) { f.realTransform(out, pool[i % pool.length]); sink += out[2]; }
    const c = process.cpuUsage();
    const t = performance.now();
    for (let i = 0; i < count; i++) { f.realTransform(out, pool[i % pool.length]); sink += out[2]; }
    const wall = (performance.now() - t) / 1000;
    const cpu = process.cpuUsage(c);
    parentPort.postMessage(Number.isNaN(sink) ? [0, 0] : [count / wall, count / ((cpu.user + cpu.system) / 1e6)]);`;
  const fftPath = createRequire(import.meta.url).resolve("fft.js");
  return new Promise((resolve, reject) => {
    const w = new Worker(code, { eval: true, workerData: { fftPath, pool, count } });
    w.once("message", (v: [number, number]) => resolve(v));
    w.once("error", reject);
  });
}
