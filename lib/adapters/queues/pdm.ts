// The predictive-maintenance queues. `pdm`: one job scheduler (upserted by id) scans new vibration
// features every 30 s, in process (it is light). `pdm-waveform`: another scheduler computes features
// from new waveform snapshots every 30 s in a BullMQ sandboxed processor (a child process), so the
// FFTs never block the worker's event loop and its lock renewal. Concurrency 1 each: scans of the same
// machine never overlap; a redelivered scan starts from the stored watermark (lib/features/pdm/scan.ts,
// lib/features/pdm/waveform-scan.ts).
import { join } from "node:path";
import { type ConnectionOptions, Queue, Worker } from "bullmq";
import { z } from "zod";
import { type ScanDeps, scanVibration } from "#lib/features/pdm/scan.ts";
import { repoRoot } from "#lib/platform/config.ts";

export const PDM_QUEUE = "pdm";
export const PDM_WAVEFORM_QUEUE = "pdm-waveform";
export const SCAN_EVERY_MS = 30_000;
/** The sandboxed processor of the waveform queue, run by Node with tsx in a child process. */
export const WAVEFORM_PROCESSOR = join(repoRoot, "workers", "pdm-waveform.processor.ts");

/**
 * A waveform scan job: `now` bounds the snapshots read (default: when the job runs); `enterprise`
 * limits it to one enterprise's machines (default: all; the scheduler scans all).
 */
export const WaveformJob = z.object({ now: z.number().int().positive().optional(), enterprise: z.string().min(1).optional() });
export type WaveformJob = z.infer<typeof WaveformJob>;

export function pdmQueue(connection: ConnectionOptions, prefix: string): Queue {
  return new Queue(PDM_QUEUE, { connection, prefix });
}

export function pdmWaveformQueue(connection: ConnectionOptions, prefix: string): Queue<WaveformJob> {
  return new Queue<WaveformJob>(PDM_WAVEFORM_QUEUE, { connection, prefix });
}

const JOB_OPTS = { attempts: 3, removeOnComplete: 100, removeOnFail: 500 };

export async function upsertPdmScheduler(queue: Queue): Promise<void> {
  await queue.upsertJobScheduler("pdm-scan", { every: SCAN_EVERY_MS }, { name: "scan", data: {}, opts: JOB_OPTS });
}

export async function upsertWaveformScheduler(queue: Queue<WaveformJob>): Promise<void> {
  await queue.upsertJobScheduler("pdm-waveform-scan", { every: SCAN_EVERY_MS }, { name: "waveform-scan", data: {}, opts: JOB_OPTS });
}

export function pdmWorker(connection: ConnectionOptions, deps: () => Promise<ScanDeps>, prefix: string): Worker {
  return new Worker(PDM_QUEUE, async () => scanVibration(await deps()), { connection, prefix, concurrency: 1 });
}

/**
 * The waveform worker: BullMQ forks a child process that imports WAVEFORM_PROCESSOR (through tsx)
 * and reuses it for the following jobs. The child reads its configuration from `env` (default: this
 * process's environment).
 */
export function pdmWaveformWorker(connection: ConnectionOptions, prefix: string, env: NodeJS.ProcessEnv = process.env): Worker<WaveformJob> {
  return new Worker<WaveformJob>(PDM_WAVEFORM_QUEUE, WAVEFORM_PROCESSOR, {
    connection,
    prefix,
    concurrency: 1,
    useWorkerThreads: false,
    workerForkOptions: { execArgv: ["--import", "tsx"], env },
  });
}
