// The demo's history through the real path: published over MQTT with the device timestamps of the
// past, written by the ingest worker to QuestDB, every message exactly once; what its people did
// (reasons after the fact, commands and answers) stored in PostgreSQL as the live paths store it.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { loadMachineKeys } from "#lib/adapters/db/assets.ts";
import { prismaFor } from "#lib/adapters/db/client.ts";
import { listCommands } from "#lib/adapters/db/commands.ts";
import { saveDemoActions } from "#lib/adapters/db/demo-actions.ts";
import { reasonEditsByPath } from "#lib/adapters/db/oee-reasons.ts";
import { loadMachines, type MachineInfo } from "#lib/adapters/db/plant.ts";
import { readMetric } from "#lib/adapters/http/metrics-server.ts";
import { questPool, waitWalApplied } from "#lib/adapters/questdb/pg.ts";
import { TABLES } from "#lib/adapters/questdb/tables.ts";
import { type IngestWorker, startIngestWorker } from "#lib/features/ingest/worker.ts";
import { historyMessages, publishHistory } from "#lib/features/sim/history.ts";
import { HistoryActions } from "#lib/features/sim/history-actions.ts";
import { waitFor } from "#lib/features/stack/net.ts";
import { createLogger } from "#lib/platform/log.ts";
import { seedTestPlant, testConfig, testPlant } from "../support/stack.ts";

const env = inject("stack");
const ent = `hi${randomBytes(3).toString("hex")}`;
const pool = questPool(env.QUESTDB_PG_URL, env.QUESTDB_PG_PASSWORD);
const prisma = prismaFor(env.DATABASE_URL);
const cfg = testConfig(env, { INGEST_CLIENT_ID: `history-${ent}`, INGEST_ENTERPRISE: ent, INGEST_FLUSH_MS: "50" });
let ingest: IngestWorker;
let machines: MachineInfo[];
let actions: HistoryActions;
const HOUR = 3_600_000;
const to = Math.floor(Date.now() / 60_000) * 60_000 - 2 * HOUR;
const span = { from: to - 12 * HOUR, to, stepMs: 60_000, vibrationEvery: 2 };

beforeAll(async () => {
  const plant = testPlant(ent, 2);
  plant.sites[0]!.calendars = plant.sites[0]!.calendars.map((c) => ({ ...c, shifts: [] })); // producing whatever the day
  plant.sites[0]!.areas = [{ ...plant.sites[0]!.areas[0]!, lines: [plant.sites[0]!.areas[0]!.lines[0]!] }];
  await seedTestPlant(env.DATABASE_URL, plant);
  machines = (await loadMachines(prisma)).filter((m) => m.enterprise === ent);
  ingest = await startIngestWorker({ config: cfg, log: createLogger("history-test", "warn"), loadMachineKeys: () => loadMachineKeys(prisma) });
}, 60_000);

afterAll(async () => {
  await ingest?.stop();
  await pool.end();
});

const rows = async (table: string) => Number((await pool.query(`SELECT count() n FROM ${table} WHERE enterprise = $1`, [ent])).rows[0]?.n);

describe("history fill", () => {
  it("writes every message of the span once, at its device time, with progress to the end", { timeout: 180_000 }, async () => {
    const degrade = new Map([[machines[0]!.key, 8]]);
    actions = new HistoryActions(machines, span, { seed: 7, degrade });
    const expected = { state: 0, counts: 0, vibration: 0 };
    const same = new HistoryActions(machines, span, { seed: 7, degrade }); // the same decisions again
    for (const m of historyMessages(machines, span, { seed: 7, degrade, actions: same })) expected[m.topic.split("/").at(-1) as keyof typeof expected]++;
    const progress: number[] = [];
    // paced by what the ingest worker has received, as andon up does (a broker drops what it cannot queue)
    const before = await readMetric(ingest.metricsPort, "andon_ingest_received_total");
    let polls = 0;
    const received = async () => {
      polls++;
      return (await readMetric(ingest.metricsPort, "andon_ingest_received_total")) - before;
    };
    const published = await publishHistory(cfg, machines, span, {
      seed: 7,
      degrade,
      actions,
      window: 500,
      pace: { received, maxAhead: 200 },
      progress: (p) => progress.push(p.fraction),
    });
    expect(polls).toBeGreaterThan(published / 200 - 1); // it did wait for the worker
    expect(published).toBe(expected.state + expected.counts + expected.vibration);
    expect(progress.at(-1)).toBe(1);
    for (let i = 1; i < progress.length; i++) expect(progress[i]!).toBeGreaterThanOrEqual(progress[i - 1]!);

    await waitFor(
      "the history in QuestDB",
      async () => (await rows(TABLES.counts)) >= expected.counts && (await rows(TABLES.vibration)) >= expected.vibration,
      120_000,
    );
    await waitWalApplied(pool, [TABLES.state, TABLES.counts, TABLES.vibration]);
    expect({ state: await rows(TABLES.state), counts: await rows(TABLES.counts), vibration: await rows(TABLES.vibration) }).toEqual(expected);
    const { rows: range } = await pool.query(`SELECT min(ts) a, max(ts) b FROM ${TABLES.counts} WHERE enterprise = $1`, [ent]);
    expect(new Date(range[0].a).getTime()).toBe(span.from);
    expect(new Date(range[0].b).getTime()).toBe(span.to - span.stepMs);
    // the degraded bearing failed in the span: its breakdown is stored with the reason
    const { rows: failure } = await pool.query(`SELECT count() n FROM ${TABLES.state} WHERE enterprise = $1 AND machine = $2 AND reason = 'bearing failure'`, [
      ent,
      machines[0]!.slug,
    ]);
    expect(Number(failure[0].n)).toBeGreaterThan(0);
  });

  it("stores the history's reasons and commands with their answers, events and audit rows, dated in the past", async () => {
    const saved = await saveDemoActions(prisma, actions);
    expect(saved).toEqual({ edits: actions.edits.length, commands: actions.commands.length });
    expect(saved.commands).toBeGreaterThanOrEqual(4);
    // the reasons, as the OEE core reads them for these machines
    const edits = await reasonEditsByPath(prisma, { start: span.from, end: span.to }, { enterprise: ent, site: machines[0]!.site });
    expect([...edits.values()].flat()).toHaveLength(actions.edits.length);
    // the commands, as the command history lists them: newest first, each with its whole lifecycle
    const listed = await listCommands(prisma, { sites: "all", site: `${ent}/${machines[0]!.site}` });
    expect(listed.map((c) => c.type).reverse()).toEqual(actions.commands.map((c) => c.type));
    for (const c of listed) {
      expect(c.createdAt.getTime()).toBeLessThan(span.to);
      const rejected = c.status === "REJECTED";
      expect(c.events.map((e) => e.to)).toEqual(rejected ? ["CREATED", "QUEUED", "SENT", "REJECTED"] : ["CREATED", "QUEUED", "SENT", "ACCEPTED", "COMPLETED"]);
      expect(c.events.at(-1)!.actor).toBe(`machine ${c.machineKey}`);
      if (rejected) expect(c.reason).toMatch(/outside this machine's range|bearing must be replaced/);
      else expect(c.status).toBe("COMPLETED");
    }
    // and the audit log, one row per request, status change and reason
    const audit = await prisma.auditLog.findMany({ where: { subject: { startsWith: `${ent}/` } } });
    const per = listed.reduce((n, c) => n + c.events.length - 1, 0); // a request, then every change after QUEUED
    expect(audit).toHaveLength(actions.edits.length + per);
    expect(audit.filter((a) => a.action === "downtime.reason.assign").every((a) => a.actor === "demo.plant-manager" && a.at.getTime() < span.to)).toBe(true);
  });
});
