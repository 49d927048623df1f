// Local Mosquitto and Redis instances that Andon starts itself (tests, or `andon up` when none answers).

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { MQTT_MAX_PACKET_BYTES } from "#lib/contract/limits.ts";
import { tcpOpen, waitFor } from "./net.ts";
import { type Managed, spawnManaged } from "./process.ts";

/**
 * Mosquitto sized for loss-free QoS 1 ingest: queues of persistent sessions are not capped at the
 * default 1000 messages, and in-flight windows are the clients' own receive maximum.
 */
export function mosquittoConf(dir: string, port: number): string {
  return [
    `listener ${port} 127.0.0.1`,
    // Loopback only; a broker reachable from the network must use the generated accounts (issue 7).
    "allow_anonymous true",
    "persistence true",
    `persistence_location ${dir}/`,
    "autosave_interval 5",
    "max_queued_messages 2000000",
    "max_queued_bytes 0",
    "max_inflight_messages 0",
    // the ingest worker advertises this plus headroom as its maximum packet size (lib/contract/limits.ts)
    `max_packet_size ${MQTT_MAX_PACKET_BYTES}`,
    "message_size_limit 0",
    "persistent_client_expiration 14d",
    "log_type error",
    "log_type warning",
    "log_type notice",
    `log_dest file ${dir}/mosquitto.log`,
    "",
  ].join("\n");
}

export async function startMosquitto(dir: string, port: number): Promise<Managed> {
  mkdirSync(dir, { recursive: true });
  const conf = join(dir, "mosquitto.conf");
  writeFileSync(conf, mosquittoConf(dir, port));
  const proc = spawnManaged("mosquitto", "mosquitto", ["-c", conf], { logFile: join(dir, "mosquitto.out") });
  await waitFor("Mosquitto", () => tcpOpen("127.0.0.1", port), 15_000);
  return proc;
}

export async function startRedis(dir: string, port: number): Promise<Managed> {
  mkdirSync(dir, { recursive: true });
  const proc = spawnManaged(
    "redis",
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir, "--maxmemory-policy", "noeviction"],
    { logFile: join(dir, "redis.out") },
  );
  await waitFor("Redis", () => tcpOpen("127.0.0.1", port), 15_000);
  return proc;
}
