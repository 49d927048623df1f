// Ingest worker process: MQTT telemetry -> QuestDB. Run several for scale-out (distinct INGEST_CLIENT_ID).

import { loadMachineKeys } from "#lib/adapters/db/assets.ts";
import { prismaFor } from "#lib/adapters/db/client.ts";
import { inFlightCommand, loadSparkplugMappings } from "#lib/adapters/db/sparkplug-mappings.ts";
import { type IngestWorker, startIngestWorker } from "#lib/features/ingest/worker.ts";
import { config } from "#lib/platform/config.ts";
import { createLogger } from "#lib/platform/log.ts";
import { onShutdown, runMain } from "#lib/platform/process.ts";

runMain(async () => {
  const cfg = config();
  const log = createLogger("ingest", cfg.LOG_LEVEL).child({ worker: cfg.INGEST_CLIENT_ID });
  const prisma = prismaFor(cfg.DATABASE_URL);
  // Handlers first: a SIGTERM during start-up exits cleanly (nothing was acknowledged yet).
  let worker: IngestWorker | undefined;
  onShutdown(async () => {
    await worker?.stop();
    await prisma.$disconnect();
  }, log);
  worker = await startIngestWorker({
    config: cfg,
    log,
    loadMachineKeys: () => loadMachineKeys(prisma),
    loadSparkplugMappings: () => loadSparkplugMappings(prisma),
    inFlightCommand: (machine) => inFlightCommand(prisma, machine),
  });
});
