// Runs workers/ingest.ts as a real child process (so it can be SIGKILLed) with a test environment.
import { ingestProcess } from "#lib/features/stack/ingest-process.ts";
import { type Managed, spawnScript } from "#lib/features/stack/process.ts";
import { config } from "#lib/platform/config.ts";

/** The ingest worker as `andon up` starts it: bundled, with its bounded heap (lib/features/stack/ingest-process.ts). */
export function spawnIngestWorker(env: Record<string, string>, logFile?: string): Managed {
  const how = ingestProcess({ INGEST_MAX_HELD_BYTES: Number(env.INGEST_MAX_HELD_BYTES ?? config().INGEST_MAX_HELD_BYTES) });
  return spawnScript("ingest", "workers/ingest.ts", { env: { LOG_LEVEL: "warn", INGEST_METRICS_PORT: "0", ...env }, ...how, ...(logFile ? { logFile } : {}) });
}

export { endMqttSession as endSession } from "#lib/adapters/mqtt/options.ts";

/** The OEE roll-up worker as its own process (workers/oee.ts), to kill it for real. */
export function spawnOeeWorker(env: Record<string, string>, logFile?: string): Managed {
  return spawnScript("oee", "workers/oee.ts", { env: { LOG_LEVEL: "info", ...env }, ...(logFile ? { logFile } : {}) });
}
