// The multi-site broker set-up from the configuration: generate (lib/features/broker/generate.ts) with the BROKER_*
// settings, and the MQTT_* settings an Andon process needs to log in to a generated broker as a given account.

import { join } from "node:path";
import { loadMachineKeys } from "#lib/adapters/db/assets.ts";
import type { PrismaClient } from "#lib/adapters/db/client.ts";
import { loadSparkplugMappings } from "#lib/adapters/db/sparkplug-mappings.ts";
import type { MachinePath } from "#lib/contract/identity.ts";
import { asMachineKey, pathOf } from "#lib/contract/identity.ts";
import type { Config } from "#lib/platform/config.ts";
import type { BrokerId } from "./acl.ts";
import { type BrokerFiles, clientCredentials, type GeneratedBrokers, generateBrokers } from "./generate.ts";
import type { SparkplugAccess } from "./sparkplug-acl.ts";

export const brokersDir = (cfg: Pick<Config, "ANDON_HOME">) => join(cfg.ANDON_HOME, "brokers");

export async function assetMachines(prisma: PrismaClient): Promise<MachinePath[]> {
  return [...(await loadMachineKeys(prisma))].map((k) => pathOf(asMachineKey(k)));
}

type BrokerConfig = Pick<
  Config,
  | "ANDON_HOME"
  | "BROKER_GATEWAY_ACCOUNTS"
  | "BROKER_CLIENT_AUTH"
  | "BROKER_BIND_HOST"
  | "BROKER_CENTRAL_HOST"
  | "BROKER_CENTRAL_PORT"
  | "BROKER_SITE_PORTS_FROM"
  | "BROKER_MAX_QUEUED_MESSAGES"
  | "INGEST_SPARKPLUG_GROUPS"
  | "INGEST_SPARKPLUG_HOST_ID"
>;

/** The Sparkplug B part of the broker configuration: the ingest worker's groups and host id, the admins' mapping. */
export async function sparkplugAccess(cfg: BrokerConfig, prisma: PrismaClient): Promise<SparkplugAccess> {
  return { groups: cfg.INGEST_SPARKPLUG_GROUPS, hostId: cfg.INGEST_SPARKPLUG_HOST_ID, mappings: await loadSparkplugMappings(prisma) };
}

export function generateFromConfig(
  cfg: BrokerConfig,
  machines: readonly MachinePath[],
  storeGatewaySecrets: boolean,
  devicePasswd?: ReadonlyMap<string, string>,
  sparkplug?: SparkplugAccess,
): GeneratedBrokers {
  return generateBrokers({
    ...(devicePasswd ? { devicePasswd } : {}),
    ...(sparkplug ? { sparkplug } : {}),
    dir: brokersDir(cfg),
    machines,
    gateways: cfg.BROKER_GATEWAY_ACCOUNTS,
    clientAuth: cfg.BROKER_CLIENT_AUTH,
    bindHost: cfg.BROKER_BIND_HOST,
    centralHost: cfg.BROKER_CENTRAL_HOST,
    centralPort: cfg.BROKER_CENTRAL_PORT,
    sitePort: (_s, i) => cfg.BROKER_SITE_PORTS_FROM + i,
    // a broker bound to every interface is reached by the central host's name too (one host in the reference set-up)
    siteHost: () => (cfg.BROKER_BIND_HOST === "0.0.0.0" ? cfg.BROKER_CENTRAL_HOST : cfg.BROKER_BIND_HOST),
    maxQueuedMessages: cfg.BROKER_MAX_QUEUED_MESSAGES,
    storeGatewaySecrets,
  });
}

/** MQTT_* settings for an Andon process that logs in to `broker` as `username` (TLS, server certificate checked). */
export function clientEnv(cfg: BrokerConfig, g: GeneratedBrokers, broker: BrokerId, username: string): Record<string, string> {
  const b: BrokerFiles | undefined = broker === "central" ? g.central : g.sites.find((s) => s.id === broker);
  if (!b) throw new Error(`no generated broker ${broker}`);
  const cred = clientCredentials(brokersDir(cfg), username, cfg.BROKER_CLIENT_AUTH);
  return {
    MQTT_URL: `mqtts://${b.host}:${b.port}`,
    MQTT_CA_FILE: g.cafile,
    MQTT_TLS_REJECT_UNAUTHORIZED: "true",
    ...("password" in cred ? { MQTT_USERNAME: username, MQTT_PASSWORD: cred.password } : { MQTT_CERT_FILE: cred.certfile, MQTT_KEY_FILE: cred.keyfile }),
  };
}

/** The lines that show newly created credentials, once. */
export function describeCreated(g: GeneratedBrokers): string[] {
  const out: string[] = [];
  for (const c of g.created) {
    const where = c.broker === "central" ? "central broker" : `factory broker ${c.broker}`;
    out.push(
      c.password ? `    ${c.username.padEnd(44)} ${c.password}   (${c.role}, ${where})` : `    ${c.username.padEnd(44)} ${c.certfile}   (${c.role}, ${where})`,
    );
  }
  return out;
}
