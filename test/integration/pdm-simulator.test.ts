// The simulator's bearing-degradation scenario, end to end in accelerated time: MachineSim messages
// (parsed as ingest parses them) into QuestDB, then the vibration scan and the waveform scan exactly as
// the pdm worker runs them, every 15 simulated minutes, into alerts in PostgreSQL. A degrading bearing
// (6 h to failure) must raise an alert before it fails (the lead time is printed), its alerts must
// hold through the repair stop and clear by themselves and nothing new may come after the repair; two healthy machines (one sending waveform snapshots, one
// features only) run 30 h through shifts, breaks, a weekend stop, random stops and a simulator restart
// without a single alert.
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { prismaFor } from "#lib/adapters/db/client.ts";
import { loadMachines, type MachineInfo } from "#lib/adapters/db/plant.ts";
import { questPool, waitWalApplied } from "#lib/adapters/questdb/pg.ts";
import type { Row } from "#lib/adapters/questdb/rows.ts";
import { ensureQuestSchema } from "#lib/adapters/questdb/schema.ts";
import { TABLES } from "#lib/adapters/questdb/tables.ts";
import { QuestWriter } from "#lib/adapters/questdb/writer.ts";
import { parsePayload } from "#lib/contract/payloads.ts";
import { telemetryRows } from "#lib/features/ingest/mapping.ts";
import { forecastHook } from "#lib/features/pdm/rul.ts";
import { scanVibration } from "#lib/features/pdm/scan.ts";
import { scanWaveforms } from "#lib/features/pdm/waveform-scan.ts";
import { MachineSim } from "#lib/features/sim/machine.ts";
import { seedTestPlant, testPlant } from "../support/stack.ts";

const env = inject("stack");
// a fixed enterprise: the simulator seeds each machine from its path, so the scenario is the same every run
const ent = "pdmsim";
const plant = testPlant(ent, 3);
const site = plant.sites[0]!;
site.areas = site.areas.slice(0, 1).map((a) => ({ ...a, lines: a.lines.slice(0, 1) }));
const line = site.areas[0]!.lines[0]!;
// 0: cnc-01 (waveform sensor, bearing geometry), degrading; 1: the same kind of machine, healthy;
// 2: cnc-03, healthy, features only
line.machines[1] = { ...line.machines[0]!, slug: line.machines[1]!.slug, name: line.machines[1]!.name };
const slugs = line.machines.map((m) => m.slug);
const prisma = prismaFor(env.DATABASE_URL);
const pool = questPool(env.QUESTDB_PG_URL, env.QUESTDB_PG_PASSWORD);
const redis = new Redis(env.REDIS_URL);

const START = Date.parse("2026-11-20T05:00:00Z"); // Friday 06:00 in Dresden, start of the early shift
const HOURS = 30; // to Saturday 12:00 local: the weekend stop starts at 06:00
const TICK_MS = 10_000;
const FAILURE_MS = 6 * 3_600_000;
const SCAN_EVERY_MS = 15 * 60_000;
const RESTART_AT = 15 * 3_600_000; // the simulator is restarted (a new process: new MachineSim, counters at 0)

let machines: MachineInfo[];
const keyOf = (m: MachineInfo) => `${m.enterprise}/${m.site}/${m.area}/${m.line}/${m.slug}`;
let failedAt: number | undefined;
let repairedAt: number | undefined;
let repairedSimStarted = false;
const activeAfterScan: { now: number; active: { machine: string; cause: string }[] }[] = [];
/** active alerts whose explanation carried a remaining-useful-life forecast, after each scan */
const forecasts: { now: number; machine: string; explanation: string }[] = [];

beforeAll(async () => {
  await seedTestPlant(env.DATABASE_URL, plant);
  await ensureQuestSchema(env.QUESTDB_HTTP_URL);
  machines = (await loadMachines(prisma)).filter((m) => m.enterprise === ent).sort((a, b) => slugs.indexOf(a.slug) - slugs.indexOf(b.slug));
  expect(machines.map((m) => [m.slug, m.hasWaveformSensor])).toEqual([
    [slugs[0], true],
    [slugs[1], true],
    [slugs[2], false],
  ]);
  const opts = { seed: 42, waveformEvery: 6 }; // a snapshot a minute while turning
  const sims = [
    new MachineSim(machines[0]!, { ...opts, degradeToFailureMs: FAILURE_MS }),
    new MachineSim(machines[1]!, opts),
    new MachineSim(machines[2]!, opts),
  ];
  const writer = new QuestWriter({ httpUrl: env.QUESTDB_HTTP_URL });
  let rows: Row[] = [];
  for (let t = START; t < START + HOURS * 3_600_000; t += TICK_MS) {
    if (t === START + RESTART_AT) for (const k of [1, 2]) sims[k] = new MachineSim(machines[k]!, opts);
    // the bearing was replaced: the simulator is restarted for that machine without the degradation
    // (left alone, MachineSim starts the same 6 h run to failure again at once)
    if (repairedAt !== undefined && !repairedSimStarted) {
      sims[0] = new MachineSim(machines[0]!, opts);
      repairedSimStarted = true;
    }
    for (const [k, sim] of sims.entries()) {
      const m = machines[k]!;
      for (const msg of sim.tick(t)) {
        const parsed = parsePayload(msg.channel, Buffer.from(JSON.stringify(msg.payload)));
        if (!parsed.ok) throw new Error(parsed.reason);
        if (k === 0 && msg.channel === "state") {
          if (msg.payload.reason === "bearing failure") failedAt ??= t;
          else if (failedAt !== undefined && repairedAt === undefined) repairedAt = t;
        }
        rows.push(...telemetryRows({ enterprise: m.enterprise, site: m.site, area: m.area, line: m.line, machine: m.slug }, parsed.value));
      }
    }
    if (rows.length >= 20_000) {
      await writer.write(rows);
      rows = [];
    }
  }
  await writer.write(rows);
  await writer.close();
  await waitWalApplied(pool, [TABLES.state, TABLES.vibration, TABLES.waveform]);

  // the pdm worker's two scans, as its schedulers would run them, in simulated time
  const deps = { pool, machines, store: redis, keyPrefix: `{test-${ent}}`, alerts: { prisma, forecast: forecastHook(pool, () => machines) } };
  for (let now = START + SCAN_EVERY_MS; now <= START + HOURS * 3_600_000; now += SCAN_EVERY_MS) {
    await scanVibration({ ...deps, now });
    await scanWaveforms({ ...deps, now });
    const active = await prisma.alert.findMany({ where: { siteKey: `${ent}/${site.slug}`, status: { in: ["OPEN", "ACKNOWLEDGED"] } } });
    activeAfterScan.push({ now, active: active.map((a) => ({ machine: a.machineKey, cause: a.cause })) });
    for (const a of active) if (a.explanation.includes("velocity forecast:")) forecasts.push({ now, machine: a.machineKey, explanation: a.explanation });
  }
}, 900_000);

afterAll(async () => {
  redis.disconnect();
  await pool.end();
});

const h = (ms: number) => (ms / 3_600_000).toFixed(2);

describe("simulated bearing degradation", () => {
  it("opens an alert before the bearing fails (lead time printed)", async () => {
    expect(failedAt).toBeDefined();
    expect(failedAt! - START).toBeGreaterThanOrEqual(FAILURE_MS);
    const alerts = await prisma.alert.findMany({ where: { machineKey: keyOf(machines[0]!) }, orderBy: { onsetAt: "asc" } });
    const before = alerts.filter((a) => a.onsetAt.getTime() < failedAt!);
    expect(before.length).toBeGreaterThan(0);
    const first = (pred: (c: string) => boolean) => before.find((a) => pred(a.cause));
    const lead = (a: (typeof alerts)[number] | undefined) => (a ? `${h(failedAt! - a.onsetAt.getTime())} h (${a.cause}, ${a.detectorVersion})` : "none");
    console.log(
      [
        `[scenario] bearing failure at ${h(failedAt! - START)} h after the start of degradation; repaired at ${h(repairedAt! - START)} h`,
        `[scenario] lead time, first alert of any kind: ${lead(before[0])}`,
        `[scenario] lead time, feature messages: ${lead(first((c) => !c.startsWith("drift:waveform/")))}`,
        `[scenario] lead time, waveform snapshots: ${lead(first((c) => c.startsWith("drift:waveform/")))}`,
        `[scenario] alerts before the failure: ${before.map((a) => `${a.cause}@${h(a.onsetAt.getTime() - START)}h`).join(", ")}`,
      ].join("\n"),
    );
    // the first hour is healthy (degradation under 0.5 %): nothing may fire there
    expect(before[0]!.onsetAt.getTime() - START).toBeGreaterThan(3_600_000);
  });

  it("its alerts carry the remaining-useful-life forecast before the failure, the healthy machines' none", async () => {
    const key = keyOf(machines[0]!);
    const mine = forecasts.filter((f) => f.machine === key && f.now < failedAt!);
    expect(mine.length).toBeGreaterThan(0);
    // the forecast as it was each hour (scan times; the zone C alert's onset is the true crossing, to a scan)
    const hourly = mine.filter((f, i) => i === 0 || Math.floor((f.now - START) / 3_600_000) > Math.floor((mine[i - 1]!.now - START) / 3_600_000));
    for (const f of hourly)
      console.log(`[scenario] at ${h(f.now - START)} h (${h(failedAt! - f.now)} h before the failure): ${f.explanation.split("; ").at(-1)}`);
    expect(forecasts.filter((f) => f.machine !== key)).toEqual([]);
  });

  it("clears the degraded machine's alerts by itself, and raises nothing new after the repair", async () => {
    expect(repairedAt).toBeDefined();
    const key = keyOf(machines[0]!);
    const alerts = await prisma.alert.findMany({ where: { machineKey: key } });
    expect(alerts.length).toBeGreaterThan(0);
    for (const a of alerts) {
      expect(a.onsetAt.getTime(), `${a.cause} ${a.explanation}`).toBeLessThan(failedAt!); // nothing new after the repair
      expect(a.status).toBe("CLEARED");
      expect(a.resolvedBy).toBeNull(); // nobody resolved it: it cleared itself
    }
    const lastClear = Math.max(...alerts.map((a) => a.clearedAt!.getTime()));
    // they held through the failure and the repair stop (a stopped machine's time is not quiet: the
    // crew works the alert then), and cleared once the repaired machine had run for the quiet time
    // without the condition
    expect(lastClear).toBeGreaterThan(failedAt!);
    expect(lastClear).toBeGreaterThanOrEqual(repairedAt! + 30 * 60_000);
    const allClearScan = activeAfterScan.find((s) => s.now > repairedAt! && !s.active.some((a) => a.machine === key));
    console.log(
      `[scenario] every alert of the degraded machine cleared by itself ${h(lastClear - failedAt!)} h after the failure, ${h(lastClear - repairedAt!)} h after the repair (the clear waits for 30 min of running without the condition); scans every 15 min`,
    );
    expect(allClearScan).toBeDefined();
  });

  it("raises nothing on healthy machines over 30 h of shifts, breaks, stops, a weekend stop and a simulator restart", async () => {
    const healthy = [keyOf(machines[1]!), keyOf(machines[2]!)];
    const alerts = await prisma.alert.findMany({ where: { machineKey: { in: healthy } } });
    expect(alerts.map((a) => `${a.machineKey} ${a.cause} ${a.explanation}`)).toEqual([]);
    // and they were scored: both ran for hours and stopped in between
    const { rows } = await pool.query(
      `SELECT machine, count() n FROM ${TABLES.state} WHERE enterprise = $1 AND state IN ('no_shift', 'break', 'running') GROUP BY machine`,
      [ent],
    );
    expect(rows.filter((r) => Number(r.n) > 10).length).toBe(3);
  });
});
