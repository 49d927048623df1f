// A simulated machine's command link: its own MQTT 5 session (persistent, so commands wait at the
// broker while it is offline, until their message expiry), the device side of the command contract
// (docs/mqtt.md "Commands"): an id is executed at most once and a repeat is answered with the
// earlier answers; a command whose expires_at has passed is rejected, never executed; answers go to
// the request's response topic with its correlation data.
import { createHash } from "node:crypto";
import mqtt, { type IPublishPacket, type MqttClient } from "mqtt";
import type { Logger } from "pino";
import type { MqttConnectionConfig } from "#lib/adapters/mqtt/options.ts";
import { mqttOptions } from "#lib/adapters/mqtt/options.ts";
import { CommandRequest, type CommandResponse } from "#lib/contract/commands.ts";
import { commandTopic, responseTopic } from "#lib/contract/topics.ts";
import type { MachineSim } from "./machine.ts";

export interface CommandLinkOptions {
  config: MqttConnectionConfig;
  sim: MachineSim;
  log?: Logger;
  /** delay between "accepted" and "completed" (a machine takes a moment to ramp down or up) */
  completionDelayMs?: number;
}

export class MachineCommandLink {
  /** ids this machine carried out, in order (a test reads it: "executed exactly once") */
  readonly executed: string[] = [];
  readonly #answers = new Map<string, CommandResponse[]>();
  #client: MqttClient | undefined;
  readonly clientId: string;

  constructor(private readonly o: CommandLinkOptions) {
    this.clientId = `andon-sim-${createHash("sha256").update(o.sim.key).digest("hex").slice(0, 16)}`;
  }

  get online(): boolean {
    return this.#client?.connected === true;
  }

  /** Connects (resuming its session: commands queued at the broker while offline arrive now). */
  async connect(): Promise<void> {
    if (this.#client) return;
    const client = mqtt.connect(
      this.o.config.MQTT_URL,
      mqttOptions(this.o.config, { clientId: this.clientId, clean: false, properties: { sessionExpiryInterval: 24 * 3600 } }),
    );
    this.#client = client;
    client.on("message", (_t, payload, packet) => this.#onCommand(payload, packet));
    client.on("error", (e) => this.o.log?.warn({ machine: this.o.sim.key, err: e.message }, "command link error"));
    await new Promise<void>((res, rej) => {
      client.once("connect", () => res());
      client.once("error", rej);
    });
    await client.subscribeAsync(commandTopic(this.o.sim.key), { qos: 1 });
  }

  /** Goes offline; the broker keeps the session and queues commands for it. */
  async disconnect(): Promise<void> {
    const c = this.#client;
    this.#client = undefined;
    await c?.endAsync();
  }

  #answer(topic: string, correlation: Buffer | undefined, r: CommandResponse) {
    this.#client?.publish(topic, JSON.stringify(r), { qos: 1, properties: correlation ? { correlationData: correlation } : {} });
  }

  #onCommand(payload: Buffer, packet: IPublishPacket) {
    const topic = packet.properties?.responseTopic ?? responseTopic(this.o.sim.key);
    const correlation = packet.properties?.correlationData;
    let json: unknown;
    try {
      json = JSON.parse(payload.toString("utf8"));
    } catch {
      this.o.log?.warn({ machine: this.o.sim.key }, "command is not JSON; ignored");
      return;
    }
    const parsed = CommandRequest.safeParse(json);
    const id = (json as { id?: unknown })?.id;
    const ts = () => new Date().toISOString();
    if (!parsed.success) {
      if (typeof id === "string" && /^[0-9a-f-]{36}$/i.test(id)) {
        const i = parsed.error.issues[0];
        this.#answer(topic, correlation, { v: 1, id, status: "rejected", reason: `invalid request: ${i?.path.join(".")}: ${i?.message}`, ts: ts() });
      }
      return;
    }
    const c = parsed.data;
    const earlier = this.#answers.get(c.id);
    if (earlier) {
      // a repeat (redelivery, or the service restarted): the same answers, no second execution
      for (const r of earlier) this.#answer(topic, correlation, r);
      return;
    }
    const answers: CommandResponse[] = [];
    this.#answers.set(c.id, answers);
    const send = (r: Omit<CommandResponse, "v" | "id" | "ts">) => {
      const full = { v: 1 as const, id: c.id, ts: ts(), ...r };
      answers.push(full);
      this.#answer(topic, correlation, full);
    };
    const now = Date.now();
    if (now >= Date.parse(c.expires_at)) {
      send({ status: "rejected", reason: `expired at ${c.expires_at} before it reached the machine; not carried out` });
      return;
    }
    const outcome = this.o.sim.execute(c.type, c.params, now);
    if (outcome.status === "rejected") {
      send({ status: "rejected", reason: outcome.reason });
      return;
    }
    this.executed.push(c.id);
    send({ status: "accepted" });
    setTimeout(() => send({ status: "completed" }), this.o.completionDelayMs ?? 500).unref();
  }
}
