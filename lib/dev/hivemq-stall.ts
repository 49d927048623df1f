// Reproduces HiveMQ CE's stall of a fresh QoS 1 shared-subscription session (hivemq-community-edition#558;
// docs/deployment.md "Brokers"; the worker's way round it: lib/adapters/mqtt/new-session.ts). Each trial: a
// subscriber with the ingest worker's session options (MQTT 5, clean start false, receive maximum 20,000,
// five shared filters) that acknowledges in batches `ackDelayMs` after receipt, as the worker does once rows
// are durable; a publisher of N QoS 1 messages; a stall is 8 s with nothing received before all arrived.
//
//   npx tsx lib/dev/hivemq-stall.ts [trials=10] [N=1000] [ackDelayMs=100]
//   HIVEMQ_STALL_MODE=reconnect   connect once more to the new session after its SUBACK (the worker's way)
//   HIVEMQ_STALL_PROBE=1          run the broker with scripts/hivemq/diagnostics/Probe.java, which prints the
//                                 broker's poll state of each subscriber (ClientConnection.noSharedSubscription)
import { execFileSync } from "node:child_process";
import { appendFileSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt, { type IPublishPacket, type Packet } from "mqtt";
import { deferPubacks } from "#lib/adapters/mqtt/deferred-acks.ts";
import { TELEMETRY_CHANNELS } from "#lib/contract/topics.ts";
import { ensureHiveMq, hiveMqConfig, startHiveMq } from "#lib/features/stack/hivemq.ts";
import { freePort, tcpOpen, waitFor } from "#lib/features/stack/net.ts";
import { spawnManaged } from "#lib/features/stack/process.ts";
import { config, repoRoot } from "#lib/platform/config.ts";

const trials = Number(process.argv[2] ?? 10);
const N = Number(process.argv[3] ?? 1000);
const ackDelayMs = Number(process.argv[4] ?? 100);
const mode = process.env.HIVEMQ_STALL_MODE ?? "plain";
if (mode !== "plain" && mode !== "reconnect") throw new Error(`HIVEMQ_STALL_MODE must be plain or reconnect, not ${mode}`);
const dir = mkdtempSync(join(tmpdir(), "hivemq-stall-"));
const probeIds = join(dir, "probe-ids");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startBroker(port: number) {
  if (!process.env.HIVEMQ_STALL_PROBE) return startHiveMq({ dir, port, home: config().ANDON_HOME });
  const cp = ensureHiveMq(config().ANDON_HOME);
  const classes = join(dir, "probe-classes");
  execFileSync("javac", ["-nowarn", "-cp", cp, "-d", classes, join(repoRoot, "scripts", "hivemq", "diagnostics", "Probe.java")], { stdio: "pipe" });
  mkdirSync(join(dir, "conf", "extensions"), { recursive: true });
  mkdirSync(join(dir, "data"), { recursive: true });
  writeFileSync(join(dir, "conf", "config.xml"), hiveMqConfig({ port }));
  const proc = spawnManaged("hivemq-probe", "java", ["-Xmx512m", "-cp", `${classes}:${cp}`, "Probe", join(dir, "conf"), join(dir, "data"), probeIds], {
    stdio: ["ignore", "inherit", "inherit"],
  });
  await waitFor("HiveMQ", () => tcpOpen("127.0.0.1", port), 120_000);
  return proc;
}

async function trial(url: string, k: number): Promise<boolean> {
  const ent = `st${k}x${Date.now() % 100_000}`;
  const filters = TELEMETRY_CHANNELS.map((c) => `$share/ingest/${ent}/+/+/+/+/${c}`);
  const sub = mqtt.connect(url, {
    protocolVersion: 5,
    clientId: `sub-${ent}`,
    clean: false,
    reconnectPeriod: 1000,
    resubscribe: false,
    properties: { sessionExpiryInterval: 3600, receiveMaximum: 20_000 },
  });
  const acks = deferPubacks(sub);
  if (process.env.HIVEMQ_STALL_PROBE) appendFileSync(probeIds, `sub-${ent}\n`);
  const t0 = Date.now();
  const trace: string[] = [];
  const note = (s: string) => trace.push(`${String(Date.now() - t0).padStart(6)} ms ${s}`);
  const unacked = new Set<number>();
  let received = 0;
  let lastRx = Date.now();
  sub.on("packetreceive", (p: Packet) => {
    if (p.cmd !== "publish") return note(`< ${p.cmd}`);
    const id = (p as IPublishPacket).messageId ?? 0;
    note(`< PUBLISH id ${id}${unacked.has(id) ? " (an id still unacknowledged!)" : ""}`);
    unacked.add(id);
  });
  let batch: { ack: () => void; id: number }[] = [];
  sub.on("message", (_t, _p, packet: IPublishPacket) => {
    received++;
    lastRx = Date.now();
    batch.push({ ack: acks.ackerFor(packet), id: packet.messageId ?? 0 });
  });
  const flusher = setInterval(() => {
    const b = batch;
    batch = [];
    if (b.length)
      setTimeout(() => {
        acks.batch(() => {
          for (const m of b) m.ack();
        });
        for (const m of b) unacked.delete(m.id);
        note(`> PUBACK x${b.length} (ids ${b[0]?.id}..${b.at(-1)?.id})`);
      }, ackDelayMs);
  }, 50);
  await new Promise<void>((r) => sub.once("connect", () => r()));
  await sub.subscribeAsync(filters, { qos: 1 });
  if (mode === "reconnect") {
    await new Promise<void>((r) => sub.end(false, { reasonCode: 0 }, () => r()));
    sub.reconnect();
    await new Promise<void>((r) => sub.once("connect", () => r()));
    await sub.subscribeAsync(filters, { qos: 1 });
  }
  const pub = await mqtt.connectAsync(url, { protocolVersion: 5, clientId: `pub-${ent}` });
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < N; i = next++) await pub.publishAsync(`${ent}/s/a/l/m${i % 3}/${TELEMETRY_CHANNELS[i % 5]}`, JSON.stringify({ i }), { qos: 1 });
  };
  await Promise.all(Array.from({ length: 100 }, lane));
  while (received < N && Date.now() - lastRx < 8000) await sleep(200);
  clearInterval(flusher);
  const ok = received >= N;
  console.log(`trial ${k}: received ${received} of ${N}, ${acks.held} acknowledgements held, ${Date.now() - t0} ms: ${ok ? "all" : "STALLED"}`);
  if (!ok) {
    console.log(`  last packets:\n${trace.slice(-12).join("\n")}\n  unacknowledged ids at the stall: ${[...unacked].join(",") || "none"}`);
    if (process.env.HIVEMQ_STALL_PROBE) await sleep(1200); // the probe prints every 0.5 s
  }
  await pub.endAsync();
  await sub.endAsync();
  return ok;
}

const port = await freePort();
const broker = await startBroker(port);
let stalls = 0;
for (let k = 0; k < trials; k++) if (!(await trial(`mqtt://127.0.0.1:${port}`, k))) stalls++;
console.log(`HiveMQ CE, mode ${mode}: ${stalls} of ${trials} trials stalled`);
await broker.stop();
