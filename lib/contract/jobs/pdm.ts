// The predictive-maintenance jobs in Redis (BullMQ): queue and job names, the schedulers that add
// them, and the payload of a waveform scan job. The producer (the schedulers, tests, the CLI) and
// the consumers (the pdm worker and its sandboxed processor) agree on these.
import { z } from "zod";

/** Vibration-feature scans, run in the pdm worker's process (they are light). */
export const PDM_QUEUE = "pdm";
/** Waveform-snapshot scans, run in a sandboxed child process (FFTs). */
export const PDM_WAVEFORM_QUEUE = "pdm-waveform";

export const PDM_SCAN_JOB = "scan";
export const PDM_WAVEFORM_SCAN_JOB = "waveform-scan";

/** The job schedulers' ids: upserted by id, so a restart never adds a second one. */
export const PDM_SCHEDULER = "pdm-scan";
export const PDM_WAVEFORM_SCHEDULER = "pdm-waveform-scan";

export const SCAN_EVERY_MS = 30_000;

/**
 * A waveform scan job: `now` bounds the snapshots read (default: when the job runs); `enterprise`
 * limits it to one enterprise's machines (default: all; the scheduler scans all).
 */
export const WaveformJob = z.object({ now: z.number().int().positive().optional(), enterprise: z.string().min(1).optional() });
export type WaveformJob = z.infer<typeof WaveformJob>;
