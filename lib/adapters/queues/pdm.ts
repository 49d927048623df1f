// The predictive-maintenance queues (job names and payloads: lib/contract/jobs/pdm.ts). `pdm`: one
// job scheduler (upserted by id) scans new vibration features every 30 s, in process (it is light).
// `pdm-waveform`: another scheduler scans new waveform snapshots every 30 s in a BullMQ sandboxed
// processor (a child process), so the FFTs never block the worker's event loop and its lock renewal.
// Concurrency 1 each: scans of the same machine never overlap; a redelivered scan starts from the
// stored watermark. What a job does is given by the entry point: a function, or the processor file.
import { type ConnectionOptions, Queue, Worker } from "bullmq";
import {
  PDM_QUEUE,
  PDM_SCAN_JOB,
  PDM_SCHEDULER,
  PDM_WAVEFORM_QUEUE,
  PDM_WAVEFORM_SCAN_JOB,
  PDM_WAVEFORM_SCHEDULER,
  SCAN_EVERY_MS,
  type WaveformJob,
} from "#lib/contract/jobs/pdm.ts";

export function pdmQueue(connection: ConnectionOptions, prefix: string): Queue {
  return new Queue(PDM_QUEUE, { connection, prefix });
}

export function pdmWaveformQueue(connection: ConnectionOptions, prefix: string): Queue<WaveformJob> {
  return new Queue<WaveformJob>(PDM_WAVEFORM_QUEUE, { connection, prefix });
}

const JOB_OPTS = { attempts: 3, removeOnComplete: 100, removeOnFail: 500 };

export async function upsertPdmScheduler(queue: Queue): Promise<void> {
  await queue.upsertJobScheduler(PDM_SCHEDULER, { every: SCAN_EVERY_MS }, { name: PDM_SCAN_JOB, data: {}, opts: JOB_OPTS });
}

export async function upsertWaveformScheduler(queue: Queue<WaveformJob>): Promise<void> {
  await queue.upsertJobScheduler(PDM_WAVEFORM_SCHEDULER, { every: SCAN_EVERY_MS }, { name: PDM_WAVEFORM_SCAN_JOB, data: {}, opts: JOB_OPTS });
}

/** The vibration worker: runs `scan` in this process for each job. */
export function pdmWorker<R>(connection: ConnectionOptions, scan: () => Promise<R>, prefix: string): Worker<unknown, R> {
  return new Worker<unknown, R>(PDM_QUEUE, () => scan(), { connection, prefix, concurrency: 1 });
}

/**
 * The waveform worker: BullMQ forks a child process that imports `processor` (a file exporting the
 * job function, run through tsx) and reuses it for the following jobs. The child reads its
 * configuration from `env` (default: this process's environment).
 */
export function sandboxedWaveformWorker(
  connection: ConnectionOptions,
  prefix: string,
  processor: string,
  env: NodeJS.ProcessEnv = process.env,
): Worker<WaveformJob> {
  return new Worker<WaveformJob>(PDM_WAVEFORM_QUEUE, processor, {
    connection,
    prefix,
    concurrency: 1,
    useWorkerThreads: false,
    workerForkOptions: { execArgv: ["--import", "tsx"], env },
  });
}
