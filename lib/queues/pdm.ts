// The predictive-maintenance queue: one job scheduler (upserted by id) scans new vibration data
// every 30 s. Concurrency 1: scans of the same machine never overlap; a redelivered scan starts
// from the stored watermark (lib/pdm/scan.ts).
import { type ConnectionOptions, Queue, Worker } from "bullmq";
import { type ScanDeps, scanVibration } from "../pdm/scan.ts";

export const PDM_QUEUE = "pdm";
export const SCAN_EVERY_MS = 30_000;

export function pdmQueue(connection: ConnectionOptions, prefix: string): Queue {
  return new Queue(PDM_QUEUE, { connection, prefix });
}

export async function upsertPdmScheduler(queue: Queue): Promise<void> {
  await queue.upsertJobScheduler(
    "pdm-scan",
    { every: SCAN_EVERY_MS },
    { name: "scan", data: {}, opts: { attempts: 3, removeOnComplete: 100, removeOnFail: 500 } },
  );
}

export function pdmWorker(connection: ConnectionOptions, deps: () => Promise<ScanDeps>, prefix: string): Worker {
  return new Worker(PDM_QUEUE, async () => scanVibration(await deps()), { connection, prefix, concurrency: 1 });
}
