// The multi-site brokers in certificate mode (BROKER_CLIENT_AUTH=certificate): X.509 client certificates
// from the generated CA, the certificate's CN as the user name the ACL applies to, bridges that log in with
// their own certificate, an ingest worker (Andon's own client) with MQTT_CERT_FILE/MQTT_KEY_FILE, and
// certificates from another CA refused in the TLS handshake.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { loadMachineKeys } from "#lib/adapters/db/assets.ts";
import { prismaFor } from "#lib/adapters/db/client.ts";
import { TABLES } from "#lib/adapters/questdb/tables.ts";
import { gatewayUser, SERVICE_USERS } from "#lib/features/broker/acl.ts";
import { clientCredentials, type GeneratedBrokers, generateBrokers } from "#lib/features/broker/generate.ts";
import { startBroker } from "#lib/features/broker/start.ts";
import { type IngestWorker, startIngestWorker } from "#lib/features/ingest/worker.ts";
import { freePort, waitFor } from "#lib/features/stack/net.ts";
import type { Managed } from "#lib/features/stack/process.ts";
import { createLogger } from "#lib/platform/log.ts";
import { brokerTempDir, connectError, key, pubackCode, rowsIn, twoSitePlant, url } from "../support/multi-site.ts";
import { seedTestPlant, testConfig } from "../support/stack.ts";

const env = inject("stack");
const { ent, plant, machines } = twoSitePlant("mc");
const [mA] = machines;
const dir = brokerTempDir("multisite-cert");
const clients: MqttClient[] = [];
const tls = (): IClientOptions => ({ protocolVersion: 5, rejectUnauthorized: true, reconnectPeriod: 0, connectTimeout: 5000 });

afterAll(async () => {
  await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
  rmSync(dir, { recursive: true, force: true });
});

describe("X.509 client certificates (certificate identity as the user name)", () => {
  const cdir = join(dir, "cert");
  let cg: GeneratedBrokers;
  let brokers: Managed[] = [];
  let certWorker: IngestWorker | undefined;
  const certOpts = (username: string): IClientOptions => ({
    ...tls(),
    ca: readFileSync(cg.cafile),
    cert: readFileSync(join(cdir, "clients", `${username}.crt`)),
    key: readFileSync(join(cdir, "clients", `${username}.key`)),
  });

  beforeAll(async () => {
    await seedTestPlant(env.DATABASE_URL, plant);
    const ports = [await freePort(), await freePort(), await freePort()] as const;
    cg = generateBrokers({
      dir: cdir,
      machines,
      gateways: "site",
      clientAuth: "certificate",
      bindHost: "127.0.0.1",
      centralHost: "127.0.0.1",
      centralPort: ports[0],
      sitePort: (_s, i) => ports[i + 1] as number,
      maxQueuedMessages: 1000,
      storeGatewaySecrets: false,
    });
    brokers = [await startBroker(cg.central), await startBroker(cg.sites.find((s) => s.site.site === mA.site)!)];
    // Andon's own client with a certificate: an ingest worker configured with MQTT_CERT_FILE / MQTT_KEY_FILE
    const cred = clientCredentials(cdir, SERVICE_USERS.ingest, "certificate");
    if (!("certfile" in cred)) throw new Error("certificate mode");
    const cfg = testConfig(env, {
      MQTT_URL: url(cg.central.port),
      MQTT_CA_FILE: cg.cafile,
      MQTT_CERT_FILE: cred.certfile,
      MQTT_KEY_FILE: cred.keyfile,
      INGEST_CLIENT_ID: `ms-cert-${ent}`,
      INGEST_ENTERPRISE: ent,
      INGEST_FLUSH_MS: "50",
    });
    certWorker = await startIngestWorker({
      config: cfg,
      log: createLogger("multi-site-cert", "warn"),
      loadMachineKeys: () => loadMachineKeys(prismaFor(env.DATABASE_URL)),
    });
    await waitFor("the certificate ingest worker's connection", async () => (await certWorker!.metrics.connected.get()).values[0]?.value === 1, 15_000);
  });
  afterAll(async () => {
    await certWorker?.stop();
    for (const b of brokers.reverse()) await b.stop();
  });

  it("bridges with certificates, applies each certificate's ACL, and ingests with Andon's own client certificate", async () => {
    const f = cg.sites.find((s) => s.site.site === mA.site)!;
    const sub = await mqtt.connectAsync(url(cg.central.port), certOpts(SERVICE_USERS.ingest));
    clients.push(sub);
    const got: string[] = [];
    sub.on("message", (_t, p) => got.push(p.toString()));
    await sub.subscribeAsync(`${key(mA)}/metrics`, { qos: 1 });
    const gw = await mqtt.connectAsync(url(f.port), certOpts(gatewayUser(mA, "site")));
    clients.push(gw);
    const msg = JSON.stringify({ v: 1, ts: Date.now(), metrics: [{ name: "x", value: 1 }] });
    await expect
      .poll(
        async () => {
          await gw.publishAsync(`${key(mA)}/metrics`, msg, { qos: 1 });
          return got.includes(msg);
        },
        { timeout: 30_000, interval: 500 },
      )
      .toBe(true);
    const dash = await mqtt.connectAsync(url(cg.central.port), certOpts(SERVICE_USERS.dashboard));
    clients.push(dash);
    expect(await pubackCode(dash, `${key(mA)}/metrics`, msg)).toBe(0x87); // the CN is the user name the ACL knows
    // and the ingest worker logged in with its certificate stored it
    await expect.poll(async () => (await rowsIn(env, ent, TABLES.metrics, "AND site = $2", [mA.site])).n, { timeout: 30_000, interval: 300 }).toBe(1);
  });

  it("refuses, in the TLS handshake (no CONNACK), a client whose certificate comes from another CA, and a client without one", async () => {
    const other = join(dir, "other-ca");
    mkdirSync(other, { recursive: true });
    const ossl = (...a: string[]) => execFileSync("openssl", a, { cwd: other, stdio: "ignore" });
    ossl(
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-days",
      "2",
      "-subj",
      "/CN=other-ca",
      "-keyout",
      "ca.key",
      "-out",
      "ca.crt",
    );
    ossl(
      "req",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-subj",
      `/CN=${SERVICE_USERS.ingest}`,
      "-keyout",
      "c.key",
      "-out",
      "c.csr",
    );
    writeFileSync(join(other, "ext"), "extendedKeyUsage=clientAuth\n");
    ossl("x509", "-req", "-in", "c.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-set_serial", "7", "-days", "2", "-extfile", "ext", "-out", "c.crt");
    const foreign = { ...tls(), ca: readFileSync(cg.cafile), cert: readFileSync(join(other, "c.crt")), key: readFileSync(join(other, "c.key")) };
    const err = await connectError(cg.central.port, foreign);
    expect(err).toBeInstanceOf(Error);
    expect(typeof err?.code === "number").toBe(false); // not a CONNACK reason code: the handshake failed
    const none = await connectError(cg.central.port, { ...tls(), ca: readFileSync(cg.cafile) });
    expect(none).toBeInstanceOf(Error);
    // and the genuine certificate with the same CN is accepted
    const ok = await mqtt.connectAsync(url(cg.central.port), certOpts(SERVICE_USERS.ingest));
    await ok.endAsync();
  });
});
