// Command service process: sends queued commands to machines and applies their answers.
import { startCommandService } from "../lib/commands/service.ts";
import { config } from "../lib/config.ts";
import { prismaFor } from "../lib/db/client.ts";
import { createLogger } from "../lib/log.ts";
import { onShutdown, runMain } from "../lib/process.ts";

runMain(async () => {
  const cfg = config();
  const log = createLogger("commands", cfg.LOG_LEVEL);
  const prisma = prismaFor(cfg.DATABASE_URL);
  const service = await startCommandService({ config: cfg, prisma, log });
  onShutdown(async () => {
    await service.stop();
    await prisma.$disconnect();
  }, log);
});
