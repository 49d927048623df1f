// The command service's MQTT 5 session: persistent (stable client id, clean: false, a week's
// session expiry), so answers published while the service was down wait at the broker. A message
// is acknowledged (PUBACK) only once its handler has finished; when the handler fails, the
// connection is ended instead, so the broker delivers the message again after the reconnect.
import mqtt, { type IPublishPacket, type MqttClient } from "mqtt";
import type { Logger } from "pino";
import type { CommandRequest } from "#lib/contract/commands.ts";
import type { MachineKey } from "#lib/contract/identity.ts";
import { commandTopic, responseTopic } from "#lib/contract/topics.ts";
import { type MqttConnectionConfig, mqttOptions } from "./options.ts";

const SESSION_EXPIRY_S = 7 * 24 * 3600;

export interface InboundMessage {
  topic: string;
  payload: Buffer;
  /** MQTT 5 correlation data as UTF-8, when the message has it */
  correlation: string | undefined;
}

/**
 * Handles one message: returns undefined when it is done at once, or a promise; a rejected promise
 * leaves the message unacknowledged (the handler logs why).
 */
export type MessageHandler = (m: InboundMessage) => Promise<void> | undefined;

export interface CommandSession {
  /** Resolves at the first CONNACK, rejects on an error before it. */
  readonly connected: Promise<void>;
  /** Subscribes (QoS 1) to each filter not subscribed yet in this session. */
  subscribe(filters: readonly string[]): Promise<void>;
  /** Publishes a command request to its machine: QoS 1, the response topic, correlation data = the id. */
  publishCommand(machine: MachineKey, request: CommandRequest, expiryS: number): Promise<void>;
  /** Publishes a Sparkplug B command (DCMD/NCMD): QoS 0, not retained, as Sparkplug 3.0 says. */
  publishSparkplug(topic: string, payload: Uint8Array): Promise<void>;
  end(): Promise<void>;
}

const payloadOf = (p: IPublishPacket) => (Buffer.isBuffer(p.payload) ? p.payload : Buffer.from(p.payload));

/**
 * Opens the session at once (the caller awaits `connected`): `handle` may run before the CONNACK is
 * reported, since messages queued in the persistent session arrive in the same read.
 */
export function openCommandSession(cfg: MqttConnectionConfig, clientId: string, log: Logger, handle: MessageHandler): CommandSession {
  const client: MqttClient = mqtt.connect(cfg.MQTT_URL, mqttOptions(cfg, { clientId, clean: false, properties: { sessionExpiryInterval: SESSION_EXPIRY_S } }));
  client.handleMessage = (packet, done) => {
    const pending = handle({ topic: packet.topic, payload: payloadOf(packet), correlation: packet.properties?.correlationData?.toString("utf8") });
    if (!pending) return done();
    pending.then(
      () => done(),
      // no PUBACK: end the connection so the broker delivers it again after the reconnect
      () => client.stream.destroy(),
    );
  };
  client.on("error", (e) => log.warn({ err: e.message }, "MQTT error"));
  const connected = new Promise<void>((res, rej) => {
    client.once("connect", () => res());
    client.once("error", rej);
  });

  const subscribed = new Set<string>();
  return {
    connected,
    async subscribe(filters) {
      for (const f of filters) {
        if (subscribed.has(f)) continue;
        await client.subscribeAsync(f, { qos: 1 });
        subscribed.add(f);
      }
    },
    async publishCommand(machine, request, expiryS) {
      await client.publishAsync(commandTopic(machine), JSON.stringify(request), {
        qos: 1,
        properties: {
          responseTopic: responseTopic(machine),
          correlationData: Buffer.from(request.id, "utf8"),
          messageExpiryInterval: expiryS,
          contentType: "application/json",
        },
      });
    },
    async publishSparkplug(topic, payload) {
      await client.publishAsync(topic, Buffer.from(payload), { qos: 0 });
    },
    end: () => client.endAsync(),
  };
}
