// The simulator speaking Sparkplug B for part of the plant (SIM_SPARKPLUG_LINES): one line's machines are
// Sparkplug devices of one edge node, the rest speak Andon's JSON; the ingest worker, as Sparkplug host with the
// simulator's mapping, stores both. The same machines' data reach QuestDB either way, and nothing of the
// Sparkplug part is dead-lettered.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { MachineInfo } from "#lib/adapters/db/plant.ts";
import { questPool } from "#lib/adapters/questdb/pg.ts";
import { TABLES } from "#lib/adapters/questdb/tables.ts";
import type { IngestWorker } from "#lib/features/ingest/worker.ts";
import { type SimulatorHandle, startSimulator } from "#lib/features/sim/run.ts";
import { waitFor } from "#lib/features/stack/net.ts";
import { createLogger } from "#lib/platform/log.ts";
import { machinesWithRows, sparkplugSimPlant } from "../support/sparkplug-sim.ts";

const env = inject("stack");
const ent = `ss${randomBytes(3).toString("hex")}`;
const group = `sim-${ent}`;
const pool = questPool(env.QUESTDB_PG_URL, env.QUESTDB_PG_PASSWORD);
let fleet: MachineInfo[] = [];
let spb = new Set<string>();
let worker: IngestWorker;
let sim: SimulatorHandle;

beforeAll(async () => {
  const log = createLogger("test-sparkplug-sim", "error");
  const plant = await sparkplugSimPlant(env, { enterprise: ent, group, clientId: `spbsim-${ent}`, log });
  ({ fleet, spb, worker } = plant);
  sim = await startSimulator({ config: plant.cfg, machines: fleet, log, sparkplug: spb });
});

afterAll(async () => {
  await sim?.stop();
  await worker?.stop();
  await pool.end();
});

const machinesWith = (table: string) => machinesWithRows(pool, table, ent);

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
