// MQTT connection options from the configuration: MQTT 5, credentials, TLS with client certificates.
import { readFileSync } from "node:fs";
import mqtt, { type IClientOptions } from "mqtt";
import type { Config } from "#lib/platform/config.ts";

export type MqttConnectionConfig = Pick<
  Config,
  "MQTT_URL" | "MQTT_USERNAME" | "MQTT_PASSWORD" | "MQTT_CA_FILE" | "MQTT_CERT_FILE" | "MQTT_KEY_FILE" | "MQTT_TLS_REJECT_UNAUTHORIZED"
>;

export function mqttOptions(cfg: MqttConnectionConfig, extra: IClientOptions = {}): IClientOptions {
  return {
    protocolVersion: 5,
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
    ...(cfg.MQTT_USERNAME ? { username: cfg.MQTT_USERNAME } : {}),
    ...(cfg.MQTT_PASSWORD ? { password: cfg.MQTT_PASSWORD } : {}),
    ...(cfg.MQTT_CA_FILE ? { ca: readFileSync(cfg.MQTT_CA_FILE) } : {}),
    ...(cfg.MQTT_CERT_FILE ? { cert: readFileSync(cfg.MQTT_CERT_FILE) } : {}),
    ...(cfg.MQTT_KEY_FILE ? { key: readFileSync(cfg.MQTT_KEY_FILE) } : {}),
    rejectUnauthorized: cfg.MQTT_TLS_REJECT_UNAUTHORIZED,
    ...extra,
  };
}

/** The broker URL without credentials, for logs. */
export function redactUrl(u: string): string {
  try {
    const url = new URL(u);
    url.username = "";
    url.password = "";
    return url.toString();
  } catch {
    return "<invalid url>";
  }
}

/** Removes a client's persistent session from the broker (clean start, no expiry): a retired worker stops taking a share. */
export async function endMqttSession(mqttUrl: string, clientId: string): Promise<void> {
  const c = await mqtt.connectAsync(mqttUrl, { protocolVersion: 5, clientId, clean: true, properties: { sessionExpiryInterval: 0 } });
  await c.endAsync();
}
