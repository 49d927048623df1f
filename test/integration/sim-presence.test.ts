// The simulator's presence (lib/features/sim/presence.ts), through the broker, the ingest worker and
// QuestDB: a stop makes every machine's state `unknown` (the JSON machines by a state message, the
// Sparkplug line's by its edge node's NDEATH, which the ingest host turns into the same), and a start
// after a run that ended without a word marks the JSON machines unknown from that run's last pulse. A
// clean stop leaves nothing for the next start to mark. Without it, the hours the demo was off count
// as the last state lasting: "running" all night with no parts made.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { MachineInfo } from "#lib/adapters/db/plant.ts";
import { questPool } from "#lib/adapters/questdb/pg.ts";
import { TABLES } from "#lib/adapters/questdb/tables.ts";
import type { IngestWorker } from "#lib/features/ingest/worker.ts";
import { CRASHED_REASON, PULSE_EVERY_MS, readPulse, STOPPED_REASON, writePulse } from "#lib/features/sim/presence.ts";
import { type SimulatorHandle, startSimulator } from "#lib/features/sim/run.ts";
import { freePort, waitFor } from "#lib/features/stack/net.ts";
import type { Config } from "#lib/platform/config.ts";
import { createLogger } from "#lib/platform/log.ts";
import { machinesWithRows, sparkplugSimPlant } from "../support/sparkplug-sim.ts";
import { startTcpProxy } from "../support/tcp-proxy.ts";

const env = inject("stack");
const ent = `sp${randomBytes(3).toString("hex")}`;
const group = `pres-${ent}`;
const pool = questPool(env.QUESTDB_PG_URL, env.QUESTDB_PG_PASSWORD);
const log = createLogger("test-sim-presence", "error");
const dir = mkdtempSync(join(tmpdir(), "andon-presence-"));
const file = join(dir, "simulator-all.json");
let cfg: Config;
let fleet: MachineInfo[] = [];
let spb = new Set<string>();
let worker: IngestWorker;
let sim: SimulatorHandle | undefined;

interface StateRow {
  key: string;
  ts: number;
  state: string;
  reason: string | null;
}

async function states(): Promise<StateRow[]> {
  const { rows } = await pool.query<{ site: string; area: string; line: string; machine: string; ts: Date; state: string; reason: string | null }>(
    `SELECT site, area, line, machine, ts, state, reason FROM ${TABLES.state} WHERE enterprise = $1 ORDER BY ts`,
    [ent],
  );
  return rows.map((r) => ({ key: `${ent}/${r.site}/${r.area}/${r.line}/${r.machine}`, ts: r.ts.getTime(), state: r.state, reason: r.reason }));
}

/** A count once it reads the same twice, a second apart (QuestDB applies the ingest's rows a little later). */
async function settled(read: () => Promise<number>): Promise<number> {
  let last = await read();
  for (let i = 0; i < 20; i++) {
    await new Promise((r) => setTimeout(r, 1000));
    const now = await read();
    if (now === last) return now;
    last = now;
  }
  throw new Error(`still changing after 20 s: ${last}`);
}

/** Each machine's latest state row. */
const latest = (rows: StateRow[]) => new Map(rows.map((r) => [r.key, r]));

const start = () => startSimulator({ config: cfg, machines: fleet, log, sparkplug: spb, presence: { file } });

beforeAll(async () => {
  ({ cfg, fleet, spb, worker } = await sparkplugSimPlant(env, { enterprise: ent, group, clientId: `presence-${ent}`, log }));
});

afterAll(async () => {
  await sim?.stop();
  await worker?.stop();
  await pool.end();
  rmSync(dir, { recursive: true, force: true });
});

describe("the simulator's presence", () => {
  const json = () => fleet.filter((m) => !spb.has(m.key));

  it("marks the JSON machines unknown from the last pulse of a run that ended without a word", async () => {
    expect(spb.size).toBeGreaterThan(0);
    expect(json().length).toBeGreaterThan(0);
    const lastMs = Date.now() - 3_600_000;
    writePulse(file, { lastMs, clean: false });
    const startedAt = Date.now();
    sim = await start();
    const gap = lastMs + PULSE_EVERY_MS;
    // every JSON machine: unknown from the dead run's due pulse, then its live state
    await waitFor(
      "the gap's unknown and a live state of every JSON machine",
      async () => {
        const rows = await states();
        return json().every((m) => rows.some((r) => r.key === m.key && r.ts === gap) && rows.some((r) => r.key === m.key && r.ts >= startedAt));
      },
      30_000,
    );
    const rows = await states();
    for (const m of json()) {
      const mine = rows.filter((r) => r.key === m.key);
      expect(mine[0]).toMatchObject({ ts: gap, state: "unknown", reason: CRASHED_REASON });
      expect(mine.at(-1)?.state).not.toBe("unknown");
    }
    // the Sparkplug machines are the broker's to speak for (their edge node's will): nothing is invented for them
    expect(rows.filter((r) => spb.has(r.key) && r.ts < startedAt)).toEqual([]);
    // the running simulator keeps its pulse fresh
    await waitFor("a pulse of this run", async () => (readPulse(file)?.lastMs ?? 0) >= startedAt, 10_000);
    expect(readPulse(file)?.clean).toBe(false);
  });

  it("makes every machine unknown when it stops, and the next start has no gap to mark", async () => {
    await waitFor("every machine's live state", async () => latest(await states()).size === fleet.length, 30_000);
    const stopAt = Date.now();
    await sim!.stop();
    sim = undefined;
    expect(readPulse(file)).toMatchObject({ clean: true });
    expect(readPulse(file)!.lastMs).toBeGreaterThanOrEqual(stopAt);
    await waitFor(
      "every machine's last state unknown",
      async () => [...latest(await states()).values()].every((r) => r.state === "unknown" && r.ts >= stopAt - 1000),
      30_000,
    );
    const last = latest(await states());
    expect(last.size).toBe(fleet.length);
    for (const m of fleet) {
      const r = last.get(m.key)!;
      if (spb.has(m.key)) expect(r.reason).toMatch(/Sparkplug NDEATH/);
      else expect(r.reason).toBe(STOPPED_REASON);
    }

    // a clean stop said it already: the next start marks no gap, only live states follow (an hour later, too)
    writePulse(file, { lastMs: Date.now() - 3_600_000, clean: true });
    const crashedBefore = (await states()).filter((r) => r.reason === CRASHED_REASON).length;
    const restartedAt = Date.now();
    sim = await start();
    await waitFor(
      "every machine's live state after the restart",
      async () => {
        const now = latest(await states());
        return fleet.every((m) => (now.get(m.key)?.ts ?? 0) >= restartedAt && now.get(m.key)?.state !== "unknown");
      },
      30_000,
    );
    expect((await states()).filter((r) => r.reason === CRASHED_REASON).length).toBe(crashedBefore);
    await sim.stop();
    sim = undefined;
  });

  it("continues from the history's end once: the JSON machines' ticks from there, not again after a restart", async () => {
    rmSync(file, { force: true }); // a first start: no earlier run
    // the history's end: after every row of the earlier tests' runs (all stopped), 3 s before this start
    const from = Math.ceil(Date.now() / 1000) * 1000;
    await new Promise((r) => setTimeout(r, from + 3000 - Date.now()));
    const startedAt = Date.now();
    sim = await startSimulator({ config: cfg, machines: fleet, log, sparkplug: spb, presence: { file }, continueFrom: from });
    const countsBefore = async (until: number) => {
      const { rows } = await pool.query<{ n: string }>(`SELECT count() n FROM ${TABLES.counts} WHERE enterprise = $1 AND ts >= $2 AND ts < $3`, [
        ent,
        new Date(from),
        new Date(until),
      ]);
      return Number(rows[0]?.n);
    };
    // every JSON machine counts at every tick from the history's end to the start (the Sparkplug line starts live)
    const ticks = Math.floor((startedAt - from) / cfg.SIM_INTERVAL_MS);
    await waitFor("the catch-up's counts", async () => (await countsBefore(startedAt)) >= ticks * json().length, 30_000);
    const caughtUp = await countsBefore(startedAt);
    expect(caughtUp).toBeLessThanOrEqual((ticks + 1) * json().length);
    const spbBefore = (await states()).filter((r) => spb.has(r.key) && r.ts >= from && r.ts < startedAt);
    expect(spbBefore).toEqual([]);
    // a restart (the supervisor hands it the same setting): this run went live after the history, so nothing
    // is published again for the time it covered (a repeat would add ticks between its hand-over and its stop)
    await waitFor("a pulse of this run", async () => (readPulse(file)?.lastMs ?? 0) >= startedAt, 10_000);
    await sim.stop();
    sim = undefined;
    const stoppedAt = Date.now();
    const first = await settled(() => countsBefore(stoppedAt));
    sim = await startSimulator({ config: cfg, machines: fleet, log, sparkplug: spb, presence: { file }, continueFrom: from });
    await waitFor("live counts of the restart", async () => (await countsBefore(Date.now() + 60_000)) > first, 30_000);
    await sim.stop();
    sim = undefined;
    expect(await settled(() => countsBefore(stoppedAt))).toBe(first);
  });

  it("simulates on when its pulse cannot be written (the crash mark is lost, not the plant)", async () => {
    const nowhere = join(dir, "missing", "simulator-all.json");
    const startedAt = Date.now();
    sim = await startSimulator({ config: cfg, machines: fleet, log, sparkplug: spb, presence: { file: nowhere } });
    // past a failed pulse: every machine keeps publishing (vibration every tick)
    await new Promise((r) => setTimeout(r, PULSE_EVERY_MS + 1000));
    await waitFor(
      "vibration of every machine after the failed pulses",
      async () => (await machinesWithRows(pool, TABLES.vibration, ent, startedAt + PULSE_EVERY_MS)).size === fleet.length,
      30_000,
    );
    await sim.stop();
    sim = undefined;
    expect(readPulse(nowhere)).toBeUndefined();
  });

  it("stops with the broker away (the word bounded, the end forced), and leaves its pulse for the next start to mark", async () => {
    // the simulator's MQTT through a link that is then cut
    const broker = new URL(env.MQTT_URL);
    const link = await startTcpProxy(await freePort(), { host: broker.hostname, port: Number(broker.port) });
    const away = join(dir, "away.json");
    sim = await startSimulator({ config: { ...cfg, MQTT_URL: `mqtt://127.0.0.1:${link.port}` }, machines: json(), log, presence: { file: away } });
    await waitFor("a pulse", async () => readPulse(away) !== undefined, 10_000);
    await link.cut();
    await sim.stop(); // before: waited forever for the unacknowledged publishes
    sim = undefined;
    expect(readPulse(away)).toMatchObject({ clean: false });
    await link.close();
  });
});
