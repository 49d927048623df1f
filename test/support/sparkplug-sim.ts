// A test plant whose first line speaks Sparkplug B through the simulator (SIM_SPARKPLUG_LINES) and the rest
// Andon's JSON, with an ingest worker as its Sparkplug host: what workers/simulator.ts and an ingest worker do at
// start. The caller starts the simulator with `cfg`, `fleet` and `spb`.
import type pg from "pg";
import type { Logger } from "pino";
import { loadMachineKeys } from "#lib/adapters/db/assets.ts";
import { prismaFor } from "#lib/adapters/db/client.ts";
import { loadMachines, type MachineInfo } from "#lib/adapters/db/plant.ts";
import { loadSparkplugMappings, putSparkplugMapping } from "#lib/adapters/db/sparkplug-mappings.ts";
import { type IngestWorker, startIngestWorker } from "#lib/features/ingest/worker.ts";
import { parseSparkplugLines } from "#lib/features/sim/run.ts";
import { sparkplugSimMappings } from "#lib/features/sim/sparkplug-edge.ts";
import type { Config } from "#lib/platform/config.ts";
import { seedTestPlant, testConfig, testPlant } from "./stack.ts";

export interface SparkplugSimPlant {
  cfg: Config;
  /** The enterprise's machines. */
  fleet: MachineInfo[];
  /** The keys of the machines that speak Sparkplug B. */
  spb: Set<string>;
  worker: IngestWorker;
}

export async function sparkplugSimPlant(
  env: Parameters<typeof testConfig>[0],
  o: { enterprise: string; group: string; clientId: string; log: Logger },
): Promise<SparkplugSimPlant> {
  const prisma = prismaFor(env.DATABASE_URL);
  await seedTestPlant(env.DATABASE_URL, testPlant(o.enterprise, 2));
  const fleet = (await loadMachines(prisma)).filter((m) => m.enterprise === o.enterprise);
  const first = fleet[0]!;
  const cfg = testConfig(env, {
    INGEST_CLIENT_ID: o.clientId,
    INGEST_ENTERPRISE: o.enterprise,
    INGEST_FLUSH_MS: "50",
    INGEST_SPARKPLUG_GROUPS: o.group,
    INGEST_SPARKPLUG_HOST_ID: `andon-${o.enterprise}`,
    SIM_INTERVAL_MS: "200",
    SIM_SEED: "7",
    SIM_SPARKPLUG_LINES: `${first.site}/${first.area}/${first.line}`,
    SIM_SPARKPLUG_GROUP: o.group,
  });
  // what workers/simulator.ts does at start
  const spb = parseSparkplugLines(cfg.SIM_SPARKPLUG_LINES, fleet);
  for (const m of sparkplugSimMappings(
    o.group,
    fleet.filter((x) => spb.has(x.key)),
  ))
    await putSparkplugMapping(prisma, m, "simulator");
  const worker = await startIngestWorker({
    config: cfg,
    log: o.log,
    loadMachineKeys: () => loadMachineKeys(prisma),
    loadSparkplugMappings: () => loadSparkplugMappings(prisma),
  });
  // publish only once the broker has granted the host's subscriptions (HiveMQ grants them later than Mosquitto)
  await worker.subscribed;
  return { cfg, fleet, spb, worker };
}

/** The machines (whole keys: the test plant repeats machine names on other lines) with rows in a QuestDB table, since `since` if given. */
export async function machinesWithRows(pool: pg.Pool, table: string, enterprise: string, since?: number): Promise<Set<string>> {
  const { rows } = await pool.query<{ site: string; area: string; line: string; machine: string }>(
    `SELECT DISTINCT site, area, line, machine FROM ${table} WHERE enterprise = $1${since === undefined ? "" : " AND ts >= $2"}`,
    since === undefined ? [enterprise] : [enterprise, new Date(since)],
  );
  return new Set(rows.map((r) => `${enterprise}/${r.site}/${r.area}/${r.line}/${r.machine}`));
}
