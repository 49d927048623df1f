// Certificate revocation in certificate mode (BROKER_CLIENT_AUTH=certificate): a machine is removed from the asset
// model, the broker configuration is generated again (what `andon broker config` runs), the running brokers reload
// (SIGHUP), and the removed machine's gateway certificate is refused in the TLS handshake by its factory broker and
// by the central broker, while the other accounts, the bridge included, still connect. The machine comes back with
// a new certificate; the old one stays refused.
import { X509Certificate } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bridgeUser, gatewayUser, SERVICE_USERS } from "#lib/features/broker/acl.ts";
import { type GeneratedBrokers, type GenerateOptions, generateBrokers } from "#lib/features/broker/generate.ts";
import { readIssued } from "#lib/features/broker/revocation.ts";
import { startBroker } from "#lib/features/broker/start.ts";
import { freePort } from "#lib/features/stack/net.ts";
import type { Managed } from "#lib/features/stack/process.ts";
import { brokerTempDir, connectError, key, pubackCode, twoSitePlant, url } from "../support/multi-site.ts";

const { machines } = twoSitePlant("crl");
const [m1] = machines;
const m2 = { ...m1, machine: `${m1.machine}-2` };
const dir = brokerTempDir("multisite-crl");
const clients: MqttClient[] = [];
const gw = (m: typeof m1) => gatewayUser(m, "machine");
const tls = (): IClientOptions => ({ protocolVersion: 5, rejectUnauthorized: true, reconnectPeriod: 0, connectTimeout: 5000 });
/** Connection options with the account's certificate as it is on disk now (read once: revocation deletes the files). */
const certOpts = (g: GeneratedBrokers, username: string): IClientOptions => ({
  ...tls(),
  ca: readFileSync(g.cafile),
  cert: readFileSync(join(dir, "clients", `${username}.crt`)),
  key: readFileSync(join(dir, "clients", `${username}.key`)),
});
const serial = (opts: IClientOptions) => new X509Certificate(opts.cert as Buffer).serialNumber;
const refusedAsRevoked = async (port: number, opts: IClientOptions) => {
  const e = await connectError(port, opts);
  // a TLS alert from the broker, not a CONNACK reason code
  return e !== undefined && typeof e.code !== "number" && /certificate revoked/i.test(`${e.message} ${String(e.code)}`);
};

describe("certificate revocation: a removed account's certificate is refused at the handshake", () => {
  let ports: [number, number];
  let g: GeneratedBrokers;
  let brokers: Managed[] = [];
  const generate = (ms: (typeof m1)[]) => {
    const o: GenerateOptions = {
      dir,
      machines: ms,
      gateways: "machine",
      clientAuth: "certificate",
      bindHost: "127.0.0.1",
      centralHost: "127.0.0.1",
      centralPort: ports[0],
      sitePort: () => ports[1],
      maxQueuedMessages: 1000,
      storeGatewaySecrets: false,
    };
    return generateBrokers(o);
  };
  const reload = () => {
    for (const b of brokers) b.child.kill("SIGHUP");
  };

  beforeAll(async () => {
    ports = [await freePort(), await freePort()];
    g = generate([m1, m2]);
    brokers = [await startBroker(g.central), await startBroker(g.sites[0]!)];
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
    for (const b of brokers.reverse()) await b.stop();
  });

  it("revokes on regeneration, the reloaded brokers refuse the certificate, everyone else still connects", async () => {
    const site = g.sites[0]!;
    expect(g.crl?.revoked).toBe(0);
    // every certificate the CA issued expires before the revocation list does (an expired CRL refuses everyone)
    for (const c of readIssued({ cert: join(dir, "pki", "ca.crt"), key: "" })) expect(new Date(c.notAfter) <= g.crl!.nextUpdate).toBe(true);
    const old2 = certOpts(g, gw(m2));
    expect(await connectError(site.port, old2)).toBeUndefined(); // before: the gateway of machine 2 connects
    const session = await mqtt.connectAsync(url(site.port), old2);
    clients.push(session);
    expect(await pubackCode(session, `${key(m2)}/metrics`, "{}")).toBe(0);

    // machine 2 is removed from the asset model; the configuration is generated again and the brokers reload
    const g2 = generate([m1]);
    expect(g2.removed).toEqual([gw(m2)]);
    expect(g2.revoked).toEqual([gw(m2)]);
    expect(g2.crl?.revoked).toBe(1);
    expect(g2.restart).toEqual([]); // same mosquitto.conf: SIGHUP is enough
    expect(existsSync(join(dir, "clients", `${gw(m2)}.crt`))).toBe(false);
    expect(readFileSync(join(site.dir, "mosquitto.conf"), "utf8")).toMatch(new RegExp(`^crlfile ${join(site.dir, "ca.crl")}$`, "m"));
    reload();
    // each broker reloads on its own SIGHUP: wait for each, not only the first
    await expect.poll(() => refusedAsRevoked(site.port, old2), { timeout: 15_000, interval: 250 }).toBe(true);
    await expect.poll(() => refusedAsRevoked(g.central.port, old2), { timeout: 15_000, interval: 250 }).toBe(true);
    // the session that was open before the reload survives it, but the ACL no longer gives it any right
    expect(await pubackCode(session, `${key(m2)}/metrics`, "{}")).toBe(0x87);

    // the others: machine 1's gateway at its broker, Andon's ingest account and the bridge's certificate at the
    // central broker, and the bridge itself carries machine 1's telemetry across
    expect(await connectError(site.port, certOpts(g2, gw(m1)))).toBeUndefined();
    expect(await connectError(g.central.port, certOpts(g2, bridgeUser(m1)))).toBeUndefined();
    const sub = await mqtt.connectAsync(url(g.central.port), certOpts(g2, SERVICE_USERS.ingest));
    clients.push(sub);
    const got: string[] = [];
    sub.on("message", (_t, p) => got.push(p.toString()));
    await sub.subscribeAsync(`${key(m1)}/metrics`, { qos: 1 });
    const gw1 = await mqtt.connectAsync(url(site.port), certOpts(g2, gw(m1)));
    clients.push(gw1);
    const msg = JSON.stringify({ v: 1, ts: Date.now(), metrics: [{ name: "x", value: 1 }] });
    await expect
      .poll(
        async () => {
          await gw1.publishAsync(`${key(m1)}/metrics`, msg, { qos: 1 });
          return got.includes(msg);
        },
        { timeout: 30_000, interval: 500 },
      )
      .toBe(true);

    // machine 2 comes back: a new certificate (new serial) that connects; the revoked one stays refused
    const g3 = generate([m1, m2]);
    expect(g3.created.map((c) => c.username)).toEqual([gw(m2)]);
    expect(g3.revoked).toEqual([]);
    expect(g3.crl?.revoked).toBe(1);
    const new2 = certOpts(g3, gw(m2));
    expect(serial(new2)).not.toBe(serial(old2));
    reload();
    await expect.poll(async () => (await connectError(site.port, new2)) === undefined, { timeout: 15_000, interval: 250 }).toBe(true);
    expect(await refusedAsRevoked(site.port, old2)).toBe(true);
  });
});
