// A publisher that keeps to the broker's receive maximum (MQTT 5 CONNACK): at most that many QoS 1
// messages unacknowledged. mqtt.js does not hold back by itself; a broker that enforces the limit
// (HiveMQ CE: 10 by default) disconnects it (0x93) and the client sends the messages again, which the
// subscriber then receives twice. Mosquitto as Andon runs it sends no limit (65,535).
import type { MqttClient } from "mqtt";

export async function publishAll(client: MqttClient, messages: readonly (readonly [topic: string, payload: string | Buffer])[]): Promise<void> {
  const connack = (client as unknown as { connackPacket?: { properties?: { receiveMaximum?: number } } }).connackPacket;
  const window = connack?.properties?.receiveMaximum ?? 65_535;
  let next = 0;
  const lane = async () => {
    while (next < messages.length) {
      const [topic, payload] = messages[next++] as readonly [string, string | Buffer];
      await client.publishAsync(topic, payload, { qos: 1 });
    }
  };
  await Promise.all(Array.from({ length: Math.min(window, messages.length) }, lane));
}
