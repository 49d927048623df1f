// HiveMQ CE with Andon's access extension (scripts/hivemq) enforces the accounts and topic permissions
// generated from the asset model — the very password file and ACL a site's Mosquitto reads: no anonymous
// client, no wrong password, a gateway publishes only its own site's telemetry and answers and subscribes
// only to its own commands. Where HiveMQ answers differently from Mosquitto 2.0.11 (a refused SUBSCRIBE
// instead of a granted one that delivers nothing), the test says so (docs/deployment.md "Brokers").
import { join } from "node:path";
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sparkplugStateTopic, sparkplugTopic } from "#lib/contract/sparkplug.ts";
import { commandTopic, responseTopic } from "#lib/contract/topics.ts";
import { gatewayUser } from "#lib/features/broker/acl.ts";
import { clientCredentials, type GeneratedBrokers, generateBrokers } from "#lib/features/broker/generate.ts";
import { startHiveMq } from "#lib/features/stack/hivemq.ts";
import { freePort } from "#lib/features/stack/net.ts";
import type { Managed } from "#lib/features/stack/process.ts";
import { config } from "#lib/platform/config.ts";
import { brokerTempDir, countsMsg, key, pubackCode, twoSitePlant } from "../support/multi-site.ts";

const { ent, machines } = twoSitePlant("hq");
const [mA, mB] = machines;
const dir = brokerTempDir("hivemq-access");
const brokerDir = join(dir, "brokers");
let g: GeneratedBrokers;
let hivemq: Managed;
let port = 0;
const clients: MqttClient[] = [];

const password = (username: string) => {
  const c = clientCredentials(brokerDir, username, "password");
  if (!("password" in c)) throw new Error("password mode");
  return c.password;
};
const opts = (o: IClientOptions): IClientOptions => ({ protocolVersion: 5, reconnectPeriod: 0, connectTimeout: 5000, ...o });
async function refused(o: IClientOptions): Promise<number | undefined> {
  try {
    const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, opts(o));
    await c.endAsync();
    return undefined;
  } catch (e) {
    return (e as { code?: number }).code ?? -1;
  }
}
async function connect(username: string): Promise<MqttClient> {
  const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, opts({ username, password: password(username), clientId: `${username}-${ent}` }));
  clients.push(c);
  return c;
}

beforeAll(async () => {
  g = generateBrokers({
    dir: brokerDir,
    machines,
    gateways: "site",
    clientAuth: "password",
    bindHost: "127.0.0.1",
    centralHost: "127.0.0.1",
    centralPort: await freePort(),
    sitePort: (_s, i) => 20000 + i, // not started: only site A's files are used, by HiveMQ
    maxQueuedMessages: 100_000,
    storeGatewaySecrets: true,
    // Sparkplug B: edge node gw-a feeds site A's machine, gw-b site B's (lib/features/broker/sparkplug-acl.ts)
    sparkplug: {
      groups: ["plant"],
      hostId: "andon",
      mappings: [
        { group: "plant", edgeNode: "gw-a", device: "", machine: key(mA), channel: "state" },
        { group: "plant", edgeNode: "gw-b", device: "", machine: key(mB), channel: "state" },
      ],
    },
  });
  const siteA = g.sites.find((s) => s.site.site === mA.site)!;
  port = await freePort();
  hivemq = await startHiveMq({
    dir: join(dir, "hivemq"),
    port,
    home: config().ANDON_HOME,
    access: { passwd: join(siteA.dir, "passwd"), acl: join(siteA.dir, "acl") },
  });
}, 180_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
  await hivemq?.stop();
});

describe("HiveMQ CE with Andon's access extension, as site A's factory broker", () => {
  it("refuses anonymous clients, a wrong password and site B's gateway with CONNACK 0x87 Not authorized", async () => {
    expect(await refused({ clientId: `anon-${ent}` })).toBe(0x87);
    expect(await refused({ username: gatewayUser(mA, "site"), password: "not-the-password", clientId: `bad-${ent}` })).toBe(0x87);
    expect(await refused({ username: gatewayUser(mB, "site"), password: password(gatewayUser(mB, "site")), clientId: `b-${ent}` })).toBe(0x87);
    expect(await refused({ username: gatewayUser(mA, "site"), password: password(gatewayUser(mA, "site")), clientId: `a-${ent}` })).toBeUndefined();
  });

  it("lets site A's gateway publish its telemetry and answers only: PUBACK 0x87 elsewhere, then HiveMQ closes the connection (Mosquitto keeps it)", async () => {
    const gw = await connect(gatewayUser(mA, "site"));
    expect(await pubackCode(gw, `${key(mA)}/counts`, countsMsg(Date.now()))).toBe(0);
    expect(await pubackCode(gw, responseTopic(mA), "{}")).toBe(0);
    const closed = new Promise<number | undefined>((resolve) => gw.once("disconnect", (p) => resolve(p.reasonCode)));
    expect(await pubackCode(gw, `${key(mB)}/counts`, countsMsg(Date.now()))).toBe(0x87);
    expect(await closed).toBe(0x87); // a DISCONNECT with Not authorized follows the refused PUBLISH
    const again = await connect(gatewayUser(mA, "site"));
    expect(await pubackCode(again, commandTopic(mA), "{}")).toBe(0x87);
  });

  it("grants the gateway its own commands and refuses another site's (SUBACK 0x87; Mosquitto 2.0.11 grants it and delivers nothing)", async () => {
    const gw = await connect(gatewayUser(mA, "site"));
    const own = await gw.subscribeAsync(commandTopic(mA), { qos: 1 });
    expect(own.map((x) => x.qos)).toEqual([1]);
    const other = await gw.subscribeAsync(commandTopic(mB), { qos: 1 }).then(
      (granted) => granted.map((x) => x.qos),
      (e: { packet?: { granted?: number[] } }) => e.packet?.granted,
    );
    expect(other).toEqual([0x87]);
  });

  it("lets site A's gateway be its own Sparkplug edge node only: births and data published, its commands and the host's STATE subscribed; site B's edge node refused", async () => {
    const spb = (type: "NBIRTH" | "DDATA" | "NCMD" | "DCMD", edgeNode: string, device?: string) =>
      sparkplugTopic({ group: "plant", type, edgeNode, ...(device ? { device } : {}) });
    const gw = await connect(gatewayUser(mA, "site"));
    expect(await pubackCode(gw, spb("NBIRTH", "gw-a"), "x")).toBe(0);
    expect(await pubackCode(gw, spb("DDATA", "gw-a", "press"), "x")).toBe(0);
    const granted = await gw.subscribeAsync([spb("NCMD", "gw-a"), spb("DCMD", "gw-a", "press"), sparkplugStateTopic("andon")], { qos: 1 });
    expect(granted.map((x) => x.qos)).toEqual([1, 1, 1]);
    const other = await gw.subscribeAsync(spb("NCMD", "gw-b"), { qos: 1 }).then(
      (g) => g.map((x) => x.qos),
      (e: { packet?: { granted?: number[] } }) => e.packet?.granted,
    );
    expect(other).toEqual([0x87]);
    expect(await pubackCode(gw, spb("NBIRTH", "gw-b"), "x")).toBe(0x87);
  });
});
