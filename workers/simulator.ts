// Plant simulator process: the machines of the asset model publishing over MQTT.
import { config } from "../lib/config.ts";
import { prismaFor } from "../lib/db/client.ts";
import { loadMachines } from "../lib/db/plant.ts";
import { createLogger } from "../lib/log.ts";
import { onShutdown, runMain } from "../lib/process.ts";
import { parseDegrade, parseOffline, startSimulator } from "../lib/sim/run.ts";

runMain(async () => {
  const cfg = config();
  const log = createLogger("simulator", cfg.LOG_LEVEL);
  const prisma = prismaFor(cfg.DATABASE_URL);
  const sites = new Set(cfg.SIM_SITES.split(",").filter(Boolean));
  // SIM_SITES: one simulator per factory broker in the multi-site topology (each logs in as its site's gateway)
  const machines = (await loadMachines(prisma)).filter((m) => sites.size === 0 || sites.has(`${m.enterprise}/${m.site}`));
  if (machines.length === 0)
    throw new Error(`the asset model has no machines${sites.size ? ` in SIM_SITES (${cfg.SIM_SITES})` : ""}: run \`andon db seed\` first`);
  const sim = await startSimulator({
    config: cfg,
    machines,
    log,
    degrade: parseDegrade(cfg.SIM_DEGRADE, machines),
    offline: parseOffline(cfg.SIM_OFFLINE, machines),
  });
  onShutdown(async () => {
    await sim.stop();
    await prisma.$disconnect();
  }, log);
});
