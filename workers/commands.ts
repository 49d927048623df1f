// Command service process: sends queued commands to machines and applies their answers.

import { prismaFor } from "#lib/adapters/db/client.ts";
import { startCommandService } from "#lib/features/commands/service.ts";
import { config } from "#lib/platform/config.ts";
import { createLogger } from "#lib/platform/log.ts";
import { onShutdown, runMain } from "#lib/platform/process.ts";

runMain(async () => {
  const cfg = config();
  const log = createLogger("commands", cfg.LOG_LEVEL);
  const prisma = prismaFor(cfg.DATABASE_URL);
  const service = await startCommandService({
    config: cfg,
    prisma,
    log,
    // another instance may lead now: exit, so nothing is sent twice; started again, it stands by
    onLost: () => process.exit(1),
  });
  onShutdown(async () => {
    await service.stop();
    await prisma.$disconnect();
  }, log);
});
