// The ingest worker's connection settings: username/password over TLS (server certificate checked
// against MQTT_CA_FILE) to a broker that refuses anonymous clients.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { loadMachineKeys } from "#lib/adapters/db/assets.ts";
import { prismaFor } from "#lib/adapters/db/client.ts";
import { questPool } from "#lib/adapters/questdb/pg.ts";
import { TABLES } from "#lib/adapters/questdb/tables.ts";
import { type IngestWorker, startIngestWorker } from "#lib/features/ingest/worker.ts";
import { freePort, tcpOpen, waitFor } from "#lib/features/stack/net.ts";
import { type Managed, spawnManaged } from "#lib/features/stack/process.ts";
import { createLogger } from "#lib/platform/log.ts";
import { seedTestPlant, testConfig, testPlant } from "../support/stack.ts";

const env = inject("stack");
const ent = `ts${randomBytes(3).toString("hex")}`;
const plant = testPlant(ent, 1);
const s = plant.sites[0]!;
const machine = `${ent}/${s.slug}/${s.areas[0]!.slug}/${s.areas[0]!.lines[0]!.slug}/${s.areas[0]!.lines[0]!.machines[0]!.slug}`;
const dir = mkdtempSync(join(tmpdir(), "andon-tls-"));
const password = randomBytes(12).toString("hex");
let broker: Managed;
let port: number;
let worker: IngestWorker | undefined;

const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "ignore" });

beforeAll(async () => {
  await seedTestPlant(env.DATABASE_URL, plant);
  // a CA, and a server certificate for 127.0.0.1 signed by it
  openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=andon-test-ca", "-keyout", "ca.key", "-out", "ca.crt");
  openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", "server.key", "-out", "server.csr");
  writeFileSync(join(dir, "san.ext"), "subjectAltName=IP:127.0.0.1\n");
  openssl(
    "x509",
    "-req",
    "-in",
    "server.csr",
    "-CA",
    "ca.crt",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-days",
    "2",
    "-extfile",
    "san.ext",
    "-out",
    "server.crt",
  );
  execFileSync("mosquitto_passwd", ["-b", "-c", join(dir, "passwd"), "ingest", password], { stdio: "ignore" });
  port = await freePort();
  writeFileSync(
    join(dir, "mosquitto.conf"),
    [
      `listener ${port} 127.0.0.1`,
      "allow_anonymous false",
      `password_file ${join(dir, "passwd")}`,
      `cafile ${join(dir, "ca.crt")}`,
      `certfile ${join(dir, "server.crt")}`,
      `keyfile ${join(dir, "server.key")}`,
      "persistence false",
      "",
    ].join("\n"),
  );
  execFileSync("chmod", ["-R", "a+rX", dir]); // mosquitto may drop to its own user
  broker = spawnManaged("mosquitto-tls", "mosquitto", ["-c", join(dir, "mosquitto.conf")], { logFile: join(dir, "mosquitto.out") });
  await waitFor("TLS Mosquitto", () => tcpOpen("127.0.0.1", port), 15_000);
});

afterAll(async () => {
  await worker?.stop();
  await broker?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("secure broker connection", () => {
  it("refuses anonymous clients and clients without the right password", async () => {
    const ca = join(dir, "ca.crt");
    const opts = { protocolVersion: 5 as const, ca: readFileSync(ca), reconnectPeriod: 0, connectTimeout: 5000 };
    await expect(mqtt.connectAsync(`mqtts://127.0.0.1:${port}`, opts)).rejects.toThrow(/Not authorized|Bad User Name or Password/);
    await expect(mqtt.connectAsync(`mqtts://127.0.0.1:${port}`, { ...opts, username: "ingest", password: "wrong" })).rejects.toThrow(
      /Not authorized|Bad User Name or Password/,
    );
    // a client that does not trust the broker's CA refuses the server certificate
    await expect(mqtt.connectAsync(`mqtts://127.0.0.1:${port}`, { protocolVersion: 5, reconnectPeriod: 0, username: "ingest", password })).rejects.toThrow(
      /self.signed|certificate/i,
    );
  });

  it("ingests over TLS with username and password from the configuration", async () => {
    const cfg = testConfig(env, {
      MQTT_URL: `mqtts://127.0.0.1:${port}`,
      MQTT_USERNAME: "ingest",
      MQTT_PASSWORD: password,
      MQTT_CA_FILE: join(dir, "ca.crt"),
      INGEST_CLIENT_ID: `tls-${ent}`,
      INGEST_ENTERPRISE: ent,
      INGEST_FLUSH_MS: "50",
    });
    worker = await startIngestWorker({ config: cfg, log: createLogger("tls", "warn"), loadMachineKeys: () => loadMachineKeys(prismaFor(env.DATABASE_URL)) });
    await expect.poll(async () => (await worker!.metrics.connected.get()).values[0]?.value, { timeout: 15_000 }).toBe(1);
    const pub = await mqtt.connectAsync(`mqtts://127.0.0.1:${port}`, {
      protocolVersion: 5,
      ca: readFileSync(join(dir, "ca.crt")),
      username: "ingest",
      password,
    });
    await pub.publishAsync(`${machine}/state`, JSON.stringify({ v: 1, ts: new Date().toISOString(), state: "running" }), { qos: 1 });
    await pub.endAsync();
    const pool = questPool(env.QUESTDB_PG_URL, env.QUESTDB_PG_PASSWORD);
    try {
      await expect
        .poll(async () => Number((await pool.query(`SELECT count() n FROM ${TABLES.state} WHERE enterprise = $1`, [ent])).rows[0]?.n), { timeout: 30_000 })
        .toBe(1);
    } finally {
      await pool.end();
    }
  });
});
