// Plant simulator process: the machines of the asset model publishing over MQTT.

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { prismaFor } from "#lib/adapters/db/client.ts";
import { loadMachines } from "#lib/adapters/db/plant.ts";
import { putSparkplugMapping } from "#lib/adapters/db/sparkplug-mappings.ts";
import { siteKey } from "#lib/contract/identity.ts";
import { pulseFileName } from "#lib/features/sim/presence.ts";
import { parseDegrade, parseOffline, parseSparkplugLines, startSimulator } from "#lib/features/sim/run.ts";
import { sparkplugSimMappings } from "#lib/features/sim/sparkplug-edge.ts";
import { config } from "#lib/platform/config.ts";
import { createLogger } from "#lib/platform/log.ts";
import { onShutdown, runMain } from "#lib/platform/process.ts";

runMain(async () => {
  const cfg = config();
  const log = createLogger("simulator", cfg.LOG_LEVEL);
  const prisma = prismaFor(cfg.DATABASE_URL);
  const sites = new Set(cfg.SIM_SITES.split(",").filter(Boolean));
  // SIM_SITES: one simulator per factory broker in the multi-site topology (each logs in as its site's gateway)
  const plant = await loadMachines(prisma);
  const machines = plant.filter((m) => sites.size === 0 || sites.has(siteKey(m.path)));
  if (machines.length === 0)
    throw new Error(`the asset model has no machines${sites.size ? ` in SIM_SITES (${cfg.SIM_SITES})` : ""}: run \`andon db seed\` first`);
  // the machines that speak Sparkplug B, and the mapping that tells the ingest host where their metrics go
  // (the lines are the whole plant's: a simulator of one site (SIM_SITES, multi-site) speaks for its own of them)
  const sparkplug = parseSparkplugLines(cfg.SIM_SPARKPLUG_LINES, plant);
  const spbMachines = machines.filter((m) => sparkplug.has(m.key));
  for (const m of sparkplugSimMappings(cfg.SIM_SPARKPLUG_GROUP, spbMachines)) await putSparkplugMapping(prisma, m, "simulator");
  mkdirSync(cfg.ANDON_HOME, { recursive: true });
  const sim = await startSimulator({
    sparkplug,
    config: cfg,
    machines,
    log,
    degrade: parseDegrade(cfg.SIM_DEGRADE, machines),
    offline: parseOffline(cfg.SIM_OFFLINE, machines),
    // the machines say `unknown` when it stops, or from its last pulse after a crash (./presence.ts)
    presence: { file: join(cfg.ANDON_HOME, pulseFileName(cfg.SIM_SITES)) },
    // the start that filled the demo's history: from its end to the clock first
    ...(cfg.SIM_CONTINUE_FROM ? { continueFrom: Date.parse(cfg.SIM_CONTINUE_FROM) } : {}),
  });
  onShutdown(async () => {
    await sim.stop();
    await prisma.$disconnect();
  }, log);
});
