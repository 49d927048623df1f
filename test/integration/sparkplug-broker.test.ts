// Sparkplug B on the generated brokers: a central Mosquitto and one factory Mosquitto per site, configured by
// `generateBrokers` from the asset model and the admins' Sparkplug mapping (edge node gw-a feeds site A's
// machine, gw-b site B's). Each site's gateway account may be its own edge nodes (births, data, deaths up;
// NCMD/DCMD and the host's STATE down) and nothing of the other site's; the bridges carry exactly that; the
// ingest account reads the group and writes rebirth requests and its STATE; the command account writes the DCMD
// of a mapped command metric. All refusals are the MQTT 5 reason codes Mosquitto 2.0.11 sends.
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SparkplugType, sparkplugStateTopic, sparkplugTopic } from "#lib/contract/sparkplug.ts";
import { bridgeUser, gatewayUser, SERVICE_USERS } from "#lib/features/broker/acl.ts";
import { clientCredentials, type GeneratedBrokers, generateBrokers } from "#lib/features/broker/generate.ts";
import { startBroker } from "#lib/features/broker/start.ts";
import { freePort, waitFor } from "#lib/features/stack/net.ts";
import type { Managed } from "#lib/features/stack/process.ts";
import { brokerTempDir, key, pubackCode, twoSitePlant, url } from "../support/multi-site.ts";

const { ent, machines } = twoSitePlant("spb");
const [mA, mB] = machines;
const group = `g-${ent}`;
const hostId = `host-${ent}`;
const sparkplug = {
  groups: [group],
  hostId,
  mappings: [
    { group, edgeNode: "gw-a", device: "press", machine: key(mA), channel: "counts" },
    { group, edgeNode: "gw-a", device: "press", machine: key(mA), channel: "command" },
    { group, edgeNode: "gw-b", device: "", machine: key(mB), channel: "state" },
  ],
};
const topic = (type: SparkplugType, edgeNode: string, device?: string) => sparkplugTopic({ group, type, edgeNode, ...(device ? { device } : {}) });

const dir = brokerTempDir("sparkplug-broker");
const brokerDir = join(dir, "brokers");
let g: GeneratedBrokers;
const brokers: Managed[] = [];
const clients: MqttClient[] = [];

const password = (username: string) => {
  const c = clientCredentials(brokerDir, username, "password");
  if (!("password" in c)) throw new Error("password mode");
  return c.password;
};
const factoryPort = (site: string) => g.sites.find((s) => s.site.site === site)!.port;
const tls = (): IClientOptions => ({ protocolVersion: 5, ca: readFileSync(g.cafile), rejectUnauthorized: true, reconnectPeriod: 0, connectTimeout: 5000 });
async function connect(port: number, username: string, clientId: string, extra: IClientOptions = {}): Promise<MqttClient> {
  const c = await mqtt.connectAsync(url(port), { ...tls(), username, password: password(username), clientId: `${clientId}-${ent}`, ...extra });
  clients.push(c);
  return c;
}
/** Topics (and retain flags) a client receives. */
function inbox(c: MqttClient): { topic: string; retain: boolean }[] {
  const got: { topic: string; retain: boolean }[] = [];
  c.on("message", (t, _p, packet) => got.push({ topic: t, retain: packet.retain }));
  return got;
}
const topics = (got: { topic: string }[]) => got.map((x) => x.topic);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  const ports = [await freePort(), await freePort(), await freePort()] as const;
  g = generateBrokers({
    dir: brokerDir,
    machines,
    gateways: "site",
    clientAuth: "password",
    bindHost: "127.0.0.1",
    centralHost: "127.0.0.1",
    centralPort: ports[0],
    sitePort: (_s, i) => ports[i + 1] as number,
    maxQueuedMessages: 100_000,
    storeGatewaySecrets: true,
    sparkplug,
  });
  brokers.push(await startBroker(g.central));
  for (const s of g.sites) brokers.push(await startBroker(s));
  // the bridges are up when a site's edge-node data reaches the central broker
  const host = await connect(g.central.port, SERVICE_USERS.ingest, "probe-host");
  const got = inbox(host);
  await host.subscribeAsync(`spBv1.0/${group}/#`, { qos: 1 });
  for (const [m, node] of [
    [mA, "gw-a"],
    [mB, "gw-b"],
  ] as const) {
    const gw = await connect(factoryPort(m.site), gatewayUser(m, "site"), `probe-${node}`);
    await waitFor(
      `the bridge of ${m.site}`,
      async () => {
        await gw.publishAsync(topic("NDATA", node), Buffer.from([]), { qos: 0 });
        return topics(got).includes(topic("NDATA", node));
      },
      30_000,
      300,
    );
    await gw.endAsync();
  }
  await host.endAsync();
}, 120_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
  for (const b of brokers.reverse()) await b.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("Sparkplug B edge nodes on the generated factory brokers", () => {
  it("lets site A's gateway publish its own edge node's births, data and deaths and refuses site B's edge node (PUBACK 0x87)", async () => {
    const gw = await connect(factoryPort(mA.site), gatewayUser(mA, "site"), "gw-a-pub");
    for (const t of [
      topic("NBIRTH", "gw-a"),
      topic("DBIRTH", "gw-a", "press"),
      topic("NDATA", "gw-a"),
      topic("DDATA", "gw-a", "press"),
      topic("DDEATH", "gw-a", "press"),
      topic("NDEATH", "gw-a"),
    ]) {
      expect([t, await pubackCode(gw, t, "x")]).toEqual([t, 0]);
    }
    for (const t of [
      topic("NBIRTH", "gw-b"),
      topic("DDATA", "gw-b", "press"),
      topic("NCMD", "gw-a"),
      topic("DCMD", "gw-a", "press"),
      sparkplugStateTopic(hostId),
    ]) {
      expect([t, await pubackCode(gw, t, "x")]).toEqual([t, 0x87]);
    }
  });

  it("delivers an edge node's will (its NDEATH) to the host when it drops; one naming another site's node reaches nobody (2.0.11 accepts it at CONNECT)", async () => {
    const host = await connect(g.central.port, SERVICE_USERS.ingest, "host-will");
    const got = inbox(host);
    await host.subscribeAsync(`spBv1.0/${group}/+/+`, { qos: 1 }); // node-level messages: births, data, deaths
    const will = (node: string) => ({ topic: topic("NDEATH", node), payload: Buffer.from("death"), qos: 1 as const, retain: false });
    const foreign = await connect(factoryPort(mA.site), gatewayUser(mA, "site"), "gw-a-foreign-will", { will: will("gw-b") });
    const own = await connect(factoryPort(mA.site), gatewayUser(mA, "site"), "gw-a-will", { will: will("gw-a") });
    foreign.stream.destroy(); // dropped, not disconnected: the broker publishes the will
    await sleep(200);
    own.stream.destroy();
    await expect.poll(() => topics(got), { timeout: 15_000 }).toContain(topic("NDEATH", "gw-a"));
    expect(topics(got).filter((t) => t.includes("/NDEATH/"))).toEqual([topic("NDEATH", "gw-a")]);
  });

  it("carries site A's edge-node data up the bridge to the ingest account, and site B's up its own", async () => {
    const host = await connect(g.central.port, SERVICE_USERS.ingest, "host-up");
    const got = inbox(host);
    await host.subscribeAsync(`spBv1.0/${group}/#`, { qos: 1 });
    const gwA = await connect(factoryPort(mA.site), gatewayUser(mA, "site"), "gw-a-up");
    const gwB = await connect(factoryPort(mB.site), gatewayUser(mB, "site"), "gw-b-up");
    await gwA.publishAsync(topic("DDATA", "gw-a", "press"), "a", { qos: 1 });
    await gwB.publishAsync(topic("NDATA", "gw-b"), "b", { qos: 1 });
    await expect.poll(() => topics(got).sort(), { timeout: 15_000 }).toEqual([topic("DDATA", "gw-a", "press"), topic("NDATA", "gw-b")].sort());
  });

  it("carries the host's rebirth request, a DCMD and the host's retained STATE down to site A's edge node only", async () => {
    const gwA = await connect(factoryPort(mA.site), gatewayUser(mA, "site"), "gw-a-down");
    const gotA = inbox(gwA);
    await gwA.subscribeAsync([topic("NCMD", "gw-a"), topic("DCMD", "gw-a", "press"), topic("NCMD", "gw-b")], { qos: 1 });
    const gwB = await connect(factoryPort(mB.site), gatewayUser(mB, "site"), "gw-b-down");
    const gotB = inbox(gwB);
    await gwB.subscribeAsync(topic("NCMD", "gw-b"), { qos: 1 });
    const host = await connect(g.central.port, SERVICE_USERS.ingest, "host-down");
    const svc = await connect(g.central.port, SERVICE_USERS.command, "svc-down");
    // site B's rebirth request first: once site A's own has arrived, B's has had its chance
    expect(await pubackCode(host, topic("NCMD", "gw-b"), "rebirth")).toBe(0);
    await expect.poll(() => topics(gotB), { timeout: 15_000 }).toEqual([topic("NCMD", "gw-b")]);
    expect(await pubackCode(host, topic("NCMD", "gw-a"), "rebirth")).toBe(0);
    expect(await pubackCode(svc, topic("DCMD", "gw-a", "press"), "set_speed")).toBe(0);
    await expect.poll(() => topics(gotA), { timeout: 15_000 }).toEqual([topic("NCMD", "gw-a"), topic("DCMD", "gw-a", "press")]);

    // STATE: retained at the central broker, bridged down and retained at the factory for an edge node that comes later
    await host.publishAsync(sparkplugStateTopic(hostId), JSON.stringify({ online: true, timestamp: 1 }), { qos: 1, retain: true });
    const later = await connect(factoryPort(mA.site), gatewayUser(mA, "site"), "gw-a-state");
    const gotLater = inbox(later);
    await waitFor(
      "the host's STATE, retained at site A's factory broker",
      async () => {
        await later.unsubscribeAsync(sparkplugStateTopic(hostId));
        await later.subscribeAsync(sparkplugStateTopic(hostId), { qos: 1 });
        return gotLater.some((x) => x.retain);
      },
      15_000,
      300,
    );
    expect(gotLater.filter((x) => x.retain).map((x) => x.topic)[0]).toBe(sparkplugStateTopic(hostId));
  });

  it("refuses what the service and bridge accounts may not do with Sparkplug topics (PUBACK 0x87)", async () => {
    const host = await connect(g.central.port, SERVICE_USERS.ingest, "host-refused");
    expect(await pubackCode(host, topic("DDATA", "gw-a", "press"), "x")).toBe(0x87); // data is the edge node's
    expect(await pubackCode(host, topic("DCMD", "gw-a", "press"), "x")).toBe(0x87); // commands are the command service's
    expect(await pubackCode(host, sparkplugStateTopic("another-host"), "x")).toBe(0x87);
    expect(await pubackCode(host, sparkplugTopic({ group: "other", type: "NCMD", edgeNode: "gw-a" }), "x")).toBe(0x87);
    const svc = await connect(g.central.port, SERVICE_USERS.command, "svc-refused");
    expect(await pubackCode(svc, topic("DCMD", "gw-a", "other-device"), "x")).toBe(0x87); // no command mapped there
    expect(await pubackCode(svc, topic("NCMD", "gw-a"), "x")).toBe(0x87);
    const dash = await connect(g.central.port, SERVICE_USERS.dashboard, "dash-refused");
    expect(await pubackCode(dash, topic("NCMD", "gw-a"), "x")).toBe(0x87);
    // site A's bridge account cannot carry site B's edge node into the central broker
    const bridgeA = await connect(g.central.port, bridgeUser(mA), "bridge-a-refused");
    expect(await pubackCode(bridgeA, topic("NDATA", "gw-b"), "x")).toBe(0x87);
    expect(await pubackCode(bridgeA, topic("NDATA", "gw-a"), "x")).toBe(0);
  });
});
