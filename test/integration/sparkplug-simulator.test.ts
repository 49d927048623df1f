// The simulator speaking Sparkplug B for part of the plant (SIM_SPARKPLUG_LINES): one line's machines are
// Sparkplug devices of one edge node, the rest speak Andon's JSON; the ingest worker, as Sparkplug host with the
// simulator's mapping, stores both. The same machines' data reach QuestDB either way, and nothing of the
// Sparkplug part is dead-lettered.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { loadMachineKeys } from "#lib/adapters/db/assets.ts";
import { prismaFor } from "#lib/adapters/db/client.ts";
import { loadMachines, type MachineInfo } from "#lib/adapters/db/plant.ts";
import { loadSparkplugMappings, putSparkplugMapping } from "#lib/adapters/db/sparkplug-mappings.ts";
import { questPool } from "#lib/adapters/questdb/pg.ts";
import { TABLES } from "#lib/adapters/questdb/tables.ts";
import { type IngestWorker, startIngestWorker } from "#lib/features/ingest/worker.ts";
import { parseSparkplugLines, type SimulatorHandle, startSimulator } from "#lib/features/sim/run.ts";
import { sparkplugSimMappings } from "#lib/features/sim/sparkplug-edge.ts";
import { waitFor } from "#lib/features/stack/net.ts";
import { createLogger } from "#lib/platform/log.ts";
import { seedTestPlant, testConfig, testPlant } from "../support/stack.ts";

const env = inject("stack");
const ent = `ss${randomBytes(3).toString("hex")}`;
const group = `sim-${ent}`;
const prisma = prismaFor(env.DATABASE_URL);
const pool = questPool(env.QUESTDB_PG_URL, env.QUESTDB_PG_PASSWORD);
let fleet: MachineInfo[] = [];
let spb = new Set<string>();
let worker: IngestWorker;
let sim: SimulatorHandle;

beforeAll(async () => {
  await seedTestPlant(env.DATABASE_URL, testPlant(ent, 2));
  fleet = (await loadMachines(prisma)).filter((m) => m.enterprise === ent);
  const first = fleet[0]!;
  const lineSpec = `${first.site}/${first.area}/${first.line}`;
  const cfg = testConfig(env, {
    INGEST_CLIENT_ID: `spbsim-${ent}`,
    INGEST_ENTERPRISE: ent,
    INGEST_FLUSH_MS: "50",
    INGEST_SPARKPLUG_GROUPS: group,
    INGEST_SPARKPLUG_HOST_ID: `andon-${ent}`,
    SIM_INTERVAL_MS: "200",
    SIM_SEED: "7",
    SIM_SPARKPLUG_LINES: lineSpec,
    SIM_SPARKPLUG_GROUP: group,
  });
  // what workers/simulator.ts does at start
  spb = parseSparkplugLines(cfg.SIM_SPARKPLUG_LINES, fleet);
  for (const m of sparkplugSimMappings(
    group,
    fleet.filter((x) => spb.has(x.key)),
  ))
    await putSparkplugMapping(prisma, m, "simulator");
  const log = createLogger("test-sparkplug-sim", "error");
  worker = await startIngestWorker({
    config: cfg,
    log,
    loadMachineKeys: () => loadMachineKeys(prisma),
    loadSparkplugMappings: () => loadSparkplugMappings(prisma),
  });
  // publish only once the broker has granted the host's subscriptions (HiveMQ grants them later than Mosquitto)
  await worker.subscribed;
  sim = await startSimulator({ config: cfg, machines: fleet, log, sparkplug: spb });
});

afterAll(async () => {
  await sim?.stop();
  await worker?.stop();
  await pool.end();
});

// by whole path: the test plant has machines of the same name on other lines
const machinesWith = async (table: string) =>
  new Set(
    (
      await pool.query<{ site: string; area: string; line: string; machine: string }>(
        `SELECT DISTINCT site, area, line, machine FROM ${table} WHERE enterprise = $1`,
        [ent],
      )
    ).rows.map((r) => `${ent}/${r.site}/${r.area}/${r.line}/${r.machine}`),
  );

describe("the simulator speaking Sparkplug B for one line", () => {
  it("stores the Sparkplug line's machines and the JSON ones alike, with no Sparkplug dead letters", async () => {
    expect(spb.size).toBeGreaterThan(0);
    expect(spb.size).toBeLessThan(fleet.length);
    const all = new Set(fleet.map((m) => m.key));
    for (const table of [TABLES.state, TABLES.counts, TABLES.vibration]) {
      await waitFor(`${table} rows of every machine`, async () => (await machinesWith(table)).size === all.size, 30_000);
      expect(await machinesWith(table)).toEqual(all);
    }
    // each device's birth alone gives rows to every table: wait for data beyond the births, and for their dead letters if any
    const received = async () => (await worker.metrics.received.get()).values.find((v) => v.labels.channel === "sparkplug")?.value ?? 0;
    await waitFor("Sparkplug data after the births", async () => (await received()) > spb.size, 30_000);
    const { rows: dead } = await pool.query<{ topic: string; reason: string }>(`SELECT topic, reason FROM ${TABLES.deadLetters} WHERE topic LIKE $1`, [
      `spBv1.0/${group}/%`,
    ]);
    expect(dead).toEqual([]);
    // those rows came over Sparkplug: the worker counted Sparkplug messages (the JSON path never sees these machines)
    expect(await received()).toBeGreaterThan(spb.size);
    // the Sparkplug machines' counts are cumulative (the edge node keeps its totals), rising
    // by its whole path: the test plant has machines of the same name on other lines, which speak JSON (delta counts)
    const spbMachine = fleet.find((m) => spb.has(m.key))!;
    const { rows: counts } = await pool.query<{ mode: string; total: string }>(
      `SELECT mode, total FROM ${TABLES.counts} WHERE enterprise = $1 AND site = $2 AND area = $3 AND line = $4 AND machine = $5 ORDER BY ts`,
      [ent, spbMachine.site, spbMachine.area, spbMachine.line, spbMachine.slug],
    );
    expect(new Set(counts.map((r) => r.mode))).toEqual(new Set(["cumulative"]));
    const totals = counts.map((r) => Number(r.total));
    expect(totals).toEqual([...totals].sort((a, b) => a - b));
  });
});
