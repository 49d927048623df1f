// Baseline for `andon bench ingest`: the same MQTT 5 session as an ingest worker (shared
// subscription, QoS 1, persistent session, same receive maximum) that only counts messages.
// Prints "ready" once subscribed and "done <epoch ms> <CPU seconds since ready>" after COUNT messages.
import mqtt from "mqtt";
import { sharedFilter, telemetryFilters } from "#lib/contract/topics.ts";

const url = process.env.MQTT_URL ?? "";
const target = Number(process.env.COUNT);
const client = mqtt.connect(url, {
  protocolVersion: 5,
  clientId: `bench-baseline-${process.pid}`,
  clean: false,
  properties: { sessionExpiryInterval: 300, receiveMaximum: Number(process.env.RECEIVE_MAXIMUM ?? 20000) },
});
let n = 0;
let cpuAtReady = process.cpuUsage();
client.on("connect", () => {
  client.subscribe(
    telemetryFilters(process.env.ENTERPRISE).map((f) => sharedFilter("bench-baseline", f)),
    { qos: 1 },
    () => {
      cpuAtReady = process.cpuUsage();
      console.log("ready");
    },
  );
});
client.on("message", () => {
  if (++n === target) {
    const cpu = process.cpuUsage(cpuAtReady);
    console.log(`done ${Date.now()} ${(cpu.user + cpu.system) / 1e6}`);
    client.end(false, {}, () => process.exit(0));
  }
});
