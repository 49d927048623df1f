// Every port `andon up` listens on is a setting, checked before anything starts: a port in use stops the
// start with exit code 2 and the setting to change; a service of ours that already answers is reused.
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { dropScratchDatabase } from "#lib/dev/isolated-stack.ts";
import { freePort } from "#lib/features/stack/net.ts";
import { portProblems } from "#lib/features/stack/ports.ts";
import { repoRoot } from "#lib/platform/config.ts";

const stack = inject("stack");
/** The test stack's services, which `andon up` then uses instead of starting its own. */
const reused = {
  REDIS_URL: stack.REDIS_URL,
  MQTT_URL: stack.MQTT_URL,
  QUESTDB_HTTP_URL: stack.QUESTDB_HTTP_URL,
  QUESTDB_PG_URL: stack.QUESTDB_PG_URL,
  QUESTDB_PG_PASSWORD: stack.QUESTDB_PG_PASSWORD,
};
const homes: string[] = [];
const servers: Server[] = [];
afterAll(async () => {
  for (const s of servers) await new Promise((r) => s.close(r));
  for (const h of homes) rmSync(h, { recursive: true, force: true });
});

/** A port held by "another process" (a plain TCP server here). */
async function occupy(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  servers.push(s);
  const addr = s.address();
  if (!addr || typeof addr !== "object") throw new Error("no port");
  return addr.port;
}

/** Every port of a stack on its own free port. */
async function ownPorts(): Promise<Record<string, string>> {
  return {
    REDIS_URL: `redis://127.0.0.1:${await freePort()}`,
    MQTT_URL: `mqtt://127.0.0.1:${await freePort()}`,
    QUESTDB_HTTP_URL: `http://127.0.0.1:${await freePort()}`,
    QUESTDB_PG_URL: `postgresql://admin@127.0.0.1:${await freePort()}/qdb`,
    QUESTDB_ILP_PORT: String(await freePort()),
    QUESTDB_HEALTH_PORT: String(await freePort()),
    WEB_PORT: String(await freePort()),
    INGEST_METRICS_PORT: String(await freePort()),
    OEE_METRICS_PORT: String(await freePort()),
    SIM_METRICS_PORT: String(await freePort()),
  };
}

function andonUp(env: Record<string, string>, args: string[] = []): Promise<{ code: number | null; out: string }> {
  const home = mkdtempSync(join(tmpdir(), "andon-ports-"));
  homes.push(home);
  const child = spawn(process.execPath, [join(repoRoot, "scripts", "andon.mjs"), "up", ...args], {
    cwd: repoRoot,
    env: { ...process.env, ANDON_HOME: home, LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  return new Promise((resolve) =>
    child.once("close", (code) => {
      // nothing was started: no service data in its home
      out += `\n[home: ${readdirSync(home).join(",")}]`;
      resolve({ code, out });
    }),
  );
}

describe("ports of andon up", () => {
  it("names the setting of a port in use, and of two settings naming the same port", async () => {
    const taken = await occupy();
    const free = await freePort();
    const problems = await portProblems([
      { setting: "QUESTDB_ILP_PORT", port: taken, what: "QuestDB's ILP listener" },
      { setting: "QUESTDB_PG_URL", port: taken + 0, inUrl: true, what: "QuestDB's PostgreSQL wire" },
      { setting: "WEB_PORT", port: free, what: "the dashboard" },
      { setting: "SIM_METRICS_PORT", port: 0, what: "the simulator's /metrics" },
    ]);
    expect(problems).toEqual([
      `QUESTDB_ILP_PORT=${taken} is in use (by another process; Andon would run QuestDB's ILP listener there): set QUESTDB_ILP_PORT to a free port`,
      `QUESTDB_ILP_PORT=${taken} (QuestDB's ILP listener) and the port ${taken} of QUESTDB_PG_URL (QuestDB's PostgreSQL wire) are the same port: set a free port in QUESTDB_PG_URL`,
    ]);
    expect(await portProblems([{ setting: "WEB_PORT", port: free, what: "the dashboard" }])).toEqual([]);
  });

  it.each(["QUESTDB_ILP_PORT", "QUESTDB_HEALTH_PORT", "WEB_PORT", "INGEST_METRICS_PORT", "OEE_METRICS_PORT"])(
    "stops `andon up` before anything starts when %s is in use: exit 2, the setting named",
    { timeout: 60_000 },
    async (setting) => {
      const taken = await occupy();
      const r = await andonUp({ ...(await ownPorts()), [setting]: String(taken) });
      expect(r.code, r.out).toBe(2);
      expect(r.out).toContain(`andon up: ${setting}=${taken} is in use (by another process;`);
      expect(r.out).toContain(`set ${setting} to a free port`);
      expect(r.out).not.toMatch(/starting (Redis|Mosquitto|QuestDB|PostgreSQL)/);
      expect(r.out).toContain("[home: ]"); // no service data written
    },
  );

  it("names the URL setting whose port is in use", { timeout: 60_000 }, async () => {
    const taken = await occupy();
    const r = await andonUp({ ...(await ownPorts()), QUESTDB_PG_URL: `postgresql://admin@127.0.0.1:${taken}/qdb` });
    expect(r.code, r.out).toBe(2);
    expect(r.out).toContain(
      `the port ${taken} of QUESTDB_PG_URL is in use (by another process; Andon would run QuestDB's PostgreSQL wire there): set a free port in QUESTDB_PG_URL`,
    );
  });

  it("reuses running services (their ports are not in the check) and still names a taken port of its own", { timeout: 60_000 }, async () => {
    const taken = await occupy();
    // the test stack's Redis, Mosquitto and QuestDB answer: they are reused, not started, so their
    // ports, and QuestDB's ILP and health ports, are not Andon's to bind
    const r = await andonUp({
      ...(await ownPorts()),
      ...reused,
      QUESTDB_ILP_PORT: String(taken),
      WEB_PORT: String(taken),
    });
    expect(r.code, r.out).toBe(2);
    const lines = r.out.split("\n").filter((l) => l.includes("is in use"));
    expect(lines).toEqual([`andon up: WEB_PORT=${taken} is in use (by another process; Andon would run the dashboard there): set WEB_PORT to a free port`]);
  });

  it("a Redis Cluster (REDIS_CLUSTER_NODES) is never started: no seed answering stops `andon up` naming the setting", { timeout: 60_000 }, async () => {
    const seeds = `127.0.0.1:${await freePort()},127.0.0.1:${await freePort()}`;
    const r = await andonUp({ ...(await ownPorts()), REDIS_CLUSTER_NODES: seeds });
    expect(r.code, r.out).toBe(2);
    expect(r.out).toContain(`No seed node of the Redis Cluster answers (REDIS_CLUSTER_NODES=${seeds})`);
    expect(r.out).not.toMatch(/starting (Redis|Mosquitto|QuestDB|PostgreSQL)/);
    expect(r.out).toContain("[home: ]");
    const bad = await andonUp({ ...(await ownPorts()), REDIS_CLUSTER_NODES: "redis://127.0.0.1:7001" });
    expect(bad.code, bad.out).toBe(2);
    expect(bad.out).toContain("REDIS_CLUSTER_NODES: comma-separated host:port seed nodes");
  });

  it("Kafka (KAFKA_BROKERS) is never started: no broker answering stops `andon up` naming the setting", { timeout: 60_000 }, async () => {
    const brokers = `127.0.0.1:${await freePort()}`;
    const r = await andonUp({ ...(await ownPorts()), KAFKA_BROKERS: brokers });
    expect(r.code, r.out).toBe(2);
    expect(r.out).toContain(`No seed node of the Kafka cluster answers (KAFKA_BROKERS=${brokers})`);
    const bad = await andonUp({ ...(await ownPorts()), KAFKA_BROKERS: "kafka://127.0.0.1:9092" });
    expect(bad.code, bad.out).toBe(2);
    expect(bad.out).toContain("KAFKA_BROKERS: comma-separated host:port bootstrap brokers");
  });

  it("multi-site: names BROKER_CENTRAL_PORT before anything starts", { timeout: 60_000 }, async () => {
    const taken = await occupy();
    const r = await andonUp({ ...(await ownPorts()), BROKER_CENTRAL_PORT: String(taken) }, ["--topology", "multi-site"]);
    expect(r.code, r.out).toBe(2);
    expect(r.out).toContain(`andon up: BROKER_CENTRAL_PORT=${taken} is in use (by another process; Andon would run the central broker there)`);
  });

  it("multi-site: names BROKER_SITE_PORTS_FROM once the asset model gives the sites, before any broker starts", { timeout: 120_000 }, async () => {
    const taken = await occupy();
    const db = new URL(stack.DATABASE_URL);
    db.pathname = `/andon_ports_${Date.now()}`;
    try {
      // the first factory broker's port is taken; the services are the test stack's (nothing to start)
      const r = await andonUp({ ...(await ownPorts()), ...reused, DATABASE_URL: db.toString(), BROKER_SITE_PORTS_FROM: String(taken) }, [
        "--topology",
        "multi-site",
      ]);
      expect(r.code, r.out).toBe(2);
      expect(r.out).toMatch(
        new RegExp(
          `port ${taken} \\(BROKER_SITE_PORTS_FROM\\) is in use \\(by another process; Andon would run the [a-z0-9/_-]+ factory broker there\\): set BROKER_SITE_PORTS_FROM so that its ports are free`,
        ),
      );
      expect(r.out).not.toContain("started by Andon");
    } finally {
      await dropScratchDatabase(db.toString()).catch(() => undefined);
    }
  });
});
