// The simulator speaking Sparkplug B for part of the plant (SIM_SPARKPLUG_LINES): each such line is one edge
// node (group SIM_SPARKPLUG_GROUP, edge node "<site>:<area>:<line>"), each machine one device. Births carry
// every metric with an alias and its current value; data carries what changed, by alias; NDEATH is the will;
// an NCMD `Node Control/Rebirth` is obeyed. The mapping the ingest host needs is `sparkplugSimMappings`.
import mqtt, { type MqttClient } from "mqtt";
import type { Logger } from "pino";
import type { MachineInfo } from "#lib/adapters/db/plant.ts";
import { mqttOptions } from "#lib/adapters/mqtt/options.ts";
import { VIBRATION_FEATURES } from "#lib/contract/payloads.ts";
import { DataType, decodeSparkplug, encodeSparkplug, type MetricInit as Metric, nameOf, sparkplugTopic } from "#lib/contract/sparkplug.ts";
import type { Config } from "#lib/platform/config.ts";
import { withTimeout } from "#lib/platform/timeout.ts";
import type { MachineSim, SimMessage } from "./machine.ts";

type Value = number | string;

/** Device metrics: name, alias, data type, and the Andon channel and field the simulator maps them to. */
const METRICS: { name: string; alias: bigint; type: DataType; channel: string; field: string }[] = [
  { name: "State", alias: 1n, type: DataType.String, channel: "state", field: "" },
  { name: "Good", alias: 2n, type: DataType.Double, channel: "counts", field: "total" },
  { name: "Scrap", alias: 3n, type: DataType.Double, channel: "counts", field: "reject" },
  ...VIBRATION_FEATURES.map((f, i) => ({ name: `Vibration/${f}`, alias: BigInt(10 + i), type: DataType.Double, channel: "vibration", field: f })),
];

export const simEdgeNodeId = (m: { site: string; area: string; line: string }) => `${m.site}:${m.area}:${m.line}`;

/** The mapping rows for the simulated Sparkplug machines (written by workers/simulator.ts at start). */
export const sparkplugSimMappings = (group: string, machines: readonly MachineInfo[]) =>
  machines.flatMap((x) =>
    METRICS.map((m) => ({ group, edgeNode: simEdgeNodeId(x), device: x.slug, metric: m.name, machine: x.key, channel: m.channel, field: m.field })),
  );

const metric = (m: (typeof METRICS)[number], value: Value | undefined, tsMs: number, birth: boolean): Metric => ({
  ...(birth ? { name: m.name } : {}),
  alias: m.alias,
  timestamp: BigInt(tsMs),
  datatype: m.type,
  ...(value === undefined
    ? { isNull: true }
    : { value: typeof value === "string" ? { case: "stringValue" as const, value } : { case: "doubleValue" as const, value } }),
});

export class SimEdgeNode {
  readonly #client: MqttClient;
  readonly #current = new Map<string, Map<string, { value: Value; tsMs: number }>>();
  readonly #lastCumulative = new Map<string, number>();
  #seq = 0;
  readonly #bdSeq = BigInt(Date.now() % 256);
  readonly #will: { topic: string; payload: Buffer; qos: 1; retain: false };

  constructor(
    cfg: Config,
    readonly group: string,
    readonly edgeNode: string,
    private readonly sims: readonly MachineSim[],
    log: Logger,
  ) {
    const death = encodeSparkplug({
      timestamp: BigInt(Date.now()),
      metrics: [{ name: "bdSeq", datatype: DataType.UInt64, value: { case: "longValue", value: this.#bdSeq } }],
    });
    const will = { topic: sparkplugTopic({ group, type: "NDEATH", edgeNode }), payload: Buffer.from(death), qos: 1 as const, retain: false as const };
    this.#will = will;
    this.#client = mqtt.connect(cfg.MQTT_URL, mqttOptions(cfg, { clientId: `andon-sim-spb-${edgeNode}-${process.pid}`.slice(0, 64), clean: true, will }));
    this.#client.on("connect", () => {
      this.#client.subscribe(sparkplugTopic({ group, type: "NCMD", edgeNode }), { qos: 0 });
      this.births();
    });
    this.#client.on("message", (_topic, payload) => {
      const d = decodeSparkplug(payload);
      if (d.ok && d.payload.metrics.some((m) => nameOf(m) === "Node Control/Rebirth" && m.value.case === "booleanValue" && m.value.value)) {
        log.info({ edgeNode }, "Sparkplug rebirth requested: births again");
        this.births();
      }
    });
    this.#client.on("error", (e) => log.warn({ err: e.message, edgeNode }, "Sparkplug edge node MQTT error"));
  }

  #publish(type: "NBIRTH" | "DBIRTH" | "DDATA", device: string | undefined, metrics: Metric[]) {
    const seq = type === "NBIRTH" ? 0 : (this.#seq + 1) % 256;
    this.#seq = seq;
    const topic = sparkplugTopic({ group: this.group, type, edgeNode: this.edgeNode, ...(device !== undefined ? { device } : {}) });
    this.#client.publish(topic, Buffer.from(encodeSparkplug({ timestamp: BigInt(Date.now()), seq: BigInt(seq), metrics })), { qos: 0 });
  }

  births() {
    if (!this.#client.connected) return;
    const now = Date.now();
    this.#publish("NBIRTH", undefined, [
      { name: "bdSeq", datatype: DataType.UInt64, value: { case: "longValue", value: this.#bdSeq } },
      { name: "Node Control/Rebirth", datatype: DataType.Boolean, value: { case: "booleanValue", value: false } },
    ]);
    for (const s of this.sims) {
      const cur = this.#current.get(s.machine.slug);
      this.#publish(
        "DBIRTH",
        s.machine.slug,
        METRICS.map((m) => metric(m, cur?.get(m.name)?.value, cur?.get(m.name)?.tsMs ?? now, true)),
      );
    }
  }

  /** One machine's tick, as Sparkplug data (waveforms are not sent: Andon maps no Sparkplug waveforms). */
  data(sim: MachineSim, msgs: readonly SimMessage[], nowMs: number) {
    const cur = this.#current.get(sim.machine.slug) ?? new Map<string, { value: Value; tsMs: number }>();
    this.#current.set(sim.machine.slug, cur);
    const changed: Metric[] = [];
    const set = (name: string, value: Value) => {
      cur.set(name, { value, tsMs: nowMs });
      changed.push(metric(METRICS.find((m) => m.name === name)!, value, nowMs, false));
    };
    for (const { channel, payload: p } of msgs) {
      if (channel === "state" && typeof p.state === "string") set("State", p.state);
      if (channel === "counts") {
        const [made, scrap] = this.#delta(sim.key, p);
        if (made > 0 || !cur.has("Good")) set("Good", Number(cur.get("Good")?.value ?? 0) + made);
        if (scrap > 0 || !cur.has("Scrap")) set("Scrap", Number(cur.get("Scrap")?.value ?? 0) + scrap);
      }
      if (channel === "vibration") for (const f of VIBRATION_FEATURES) if (typeof p[f] === "number") set(`Vibration/${f}`, p[f] as number);
    }
    if (changed.length && this.#client.connected) this.#publish("DDATA", sim.machine.slug, changed);
  }

  /** Parts made and scrapped since the last tick, from the machine's counter (delta, or cumulative with roll-over). */
  #delta(key: string, p: Record<string, unknown>): [number, number] {
    const total = Number(p.total ?? 0);
    const reject = Number(p.reject ?? 0);
    if (p.mode !== "cumulative") return [total, reject];
    const wrap = Number(p.counter_max ?? Number.MAX_SAFE_INTEGER) + 1;
    const diff = (k: string, v: number) => {
      const last = this.#lastCumulative.get(k);
      this.#lastCumulative.set(k, v);
      return last === undefined ? 0 : (v - last + wrap) % wrap;
    };
    return [diff(`${key}#t`, total), diff(`${key}#r`, reject)];
  }

  /** Sparkplug's intentional disconnect: the death certificate first (the broker sends the will only when the connection is lost). */
  end = async () => {
    let said = !this.#client.connected;
    if (!said)
      said = await withTimeout(this.#client.publishAsync(this.#will.topic, this.#will.payload, { qos: 1 }), 5000, "NDEATH").then(
        () => true,
        () => false,
      );
    // an unacknowledged NDEATH would hold a normal end forever: then the broker's will says it
    await this.#client.endAsync(!said);
  };
}
