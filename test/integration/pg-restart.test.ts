// PostgreSQL restarted (its own cluster: initdb on a free port) while commands are in flight and the
// dashboard is in use. The command service runs as a process (workers/commands.ts); it loses the
// connection holding its leader lock and exits, and the test starts it again as `andon up`'s supervisor
// would. The dashboard side runs the same lib/commands code the command routes call, in this process
// (not the Next.js server), with its one Prisma client, which must work again without a restart.
// Every command reaches exactly one final state, and no machine executes a command twice.
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { prismaFor } from "#lib/adapters/db/client.ts";
import { ensureDatabase, migrate } from "#lib/adapters/db/migrate.ts";
import { loadMachines } from "#lib/adapters/db/plant.ts";
import type { Principal } from "#lib/domain/auth/policy.ts";
import { FINAL } from "#lib/domain/commands/lifecycle.ts";
import { commandFor, listCommands, requestCommand } from "#lib/features/commands/store.ts";
import { MachineCommandLink } from "#lib/features/sim/commands.ts";
import { MachineSim } from "#lib/features/sim/machine.ts";
import { waitFor } from "#lib/features/stack/net.ts";
import { type Managed, spawnScript } from "#lib/features/stack/process.ts";
import { repoRoot } from "#lib/platform/config.ts";
import { type OwnPostgres, startOwnPostgres } from "../support/own-postgres.ts";
import { seedTestPlant, testConfig, testPlant } from "../support/stack.ts";

const env = inject("stack");
const ent = `tp${randomUUID().slice(0, 6)}`;
const plant = testPlant(ent, 2);
const site = `${ent}/${plant.sites[0]!.slug}`;
const pm: Principal = { kind: "user", id: "u1", name: "pm.test", displayName: "PM", role: "PLANT_MANAGER", sites: [site] };
let pgServer: OwnPostgres | undefined;
let url = "";
let proc: Managed | undefined;
let supervising = true;
let starts = 0;
const links: MachineCommandLink[] = [];
const keys: string[] = [];

/** Starts the command service, and again whenever it exits (what `andon up` does for a crashed worker). */
function supervise() {
  const start = () => {
    starts++;
    const p = spawnScript("commands", "workers/commands.ts", {
      env: {
        DATABASE_URL: url,
        MQTT_URL: env.MQTT_URL,
        COMMAND_CLIENT_ID: `andon-commands-${ent}`,
        COMMAND_TICK_MS: "200",
        COMMAND_ANSWER_GRACE_S: "1",
        LOG_LEVEL: "info",
      },
      logFile: join(repoRoot, ".andon", "test-pg-restart-commands.log"),
    });
    p.child.once("exit", () => {
      if (supervising) setTimeout(start, 500);
    });
    proc = p;
  };
  start();
}

beforeAll(async () => {
  pgServer = await startOwnPostgres();
  url = pgServer.url("andon_pg_restart");
  await ensureDatabase(url);
  await migrate(url, join(repoRoot, "prisma", "migrations"));
  await seedTestPlant(url, plant);
}, 120_000);

afterAll(async () => {
  supervising = false;
  await proc?.stop();
  await Promise.all(links.map((l) => l.disconnect()));
  await prismaFor(url).$disconnect();
  pgServer?.stop();
});

describe("PostgreSQL restarted under commands in flight and the dashboard", () => {
  it("every command ends in exactly one final state, executed at most once; the dashboard's client works again", { timeout: 180_000 }, async () => {
    const prisma = prismaFor(url);
    const cfg = testConfig(env, { DATABASE_URL: url });
    const machines = (await loadMachines(prisma)).filter((m) => m.enterprise === ent).slice(0, 2);
    for (const m of machines) {
      const sim = new MachineSim(m, { seed: 11, waveformEvery: 0 });
      sim.tick(Date.now());
      const l = new MachineCommandLink({ config: cfg, sim, completionDelayMs: 2500 });
      await l.connect();
      links.push(l);
      keys.push(sim.key);
    }
    supervise();
    const ids: string[] = [];
    const ask = async (machine: string, note: string) =>
      ids.push((await requestCommand(prisma, pm, { machine, type: "request_inspection", params: { note } })).command.id);
    for (const k of keys) for (const n of ["one", "two", "three"]) await ask(k, n);
    // the first of each machine accepted and completing, the others queued behind it
    await waitFor("commands in flight", async () => (await prisma.command.count({ where: { id: { in: ids }, status: "ACCEPTED" } })) === 2, 60_000);

    const startsBefore = starts;
    pgServer!.down();
    // while it is down the dashboard gets an error (not a hang), and the machines' answers wait at the broker
    const whileDown = await listCommands(prisma, { sites: [site] }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(whileDown).toBeInstanceOf(Error);
    await new Promise((r) => setTimeout(r, 3000));
    pgServer!.start();
    // the dashboard's Prisma client: its pooled connections were terminated; it must work again by itself
    await waitFor(
      "the dashboard reading commands again",
      async () =>
        listCommands(prisma, { sites: [site] }).then(
          () => true,
          () => false,
        ),
      30_000,
    );
    const list = await listCommands(prisma, { sites: [site] });
    expect(list.length).toBeGreaterThanOrEqual(ids.length);
    await ask(keys[0]!, "after the restart");
    await commandFor(prisma, pm, ids[0]!);

    const final = async () => (await prisma.command.findMany({ where: { id: { in: ids } } })).every((c) => FINAL.includes(c.status));
    await waitFor("every command final", final, 120_000, 500);
    // the service lost its lock connection, exited and was started again
    expect(starts).toBeGreaterThan(startsBefore);
    const rows = await prisma.command.findMany({ where: { id: { in: ids } }, include: { events: { orderBy: { id: "asc" } } } });
    for (const c of rows) {
      const finals = c.events.filter((e) => FINAL.includes(e.to));
      expect(finals, `${c.id}: ${c.events.map((e) => e.to).join(" ")}`).toHaveLength(1);
      expect(c.events.at(-1)!.to).toBe(c.status);
      expect(c.status).toBe("COMPLETED");
    }
    const executed = links.flatMap((l) => l.executed);
    expect(new Set(executed).size).toBe(executed.length);
    expect([...executed].sort()).toEqual([...ids].sort());
  });
});
