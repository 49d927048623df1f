// Broker accounts, topic ACLs and bridge configuration generated from the asset model.
// Pure: no I/O. `lib/features/broker/generate.ts` writes the files, hashes the passwords and makes the certificates.
//
// Layout (docs/deployment.md): one central broker (Andon's services, one bridge account per site) and
// one factory broker per site (that site's gateways), each factory bridged to the central broker:
// telemetry and command responses up, commands and alerts down, each site only its own subtree.

import { type MachinePath, machineKey, type SiteKey, siteKey } from "#lib/contract/identity.ts";
import { MQTT_MAX_PACKET_BYTES } from "#lib/contract/limits.ts";
import {
  alertsFilter,
  alertsTopic,
  bridgeStateFilter,
  bridgeStateTopic,
  COMMAND_CHANNEL,
  RESPONSE_CHANNEL,
  stateFilter,
  TELEMETRY_CHANNELS,
} from "#lib/contract/topics.ts";
import { umhEnterpriseFilters, umhFilters } from "#lib/contract/umh.ts";

/** One account per site gateway, or one per machine. */
export type GatewayScope = "site" | "machine";
/** How clients prove who they are: user name + password, or an X.509 client certificate whose CN is the user name. */
export type ClientAuth = "password" | "certificate";
export type Access = "read" | "write";
export type Role = "gateway" | "bridge" | "ingest" | "command" | "dashboard" | "pdm";

export interface Grant {
  access: Access;
  topic: string;
}

/** The broker an account lives on: the central one, or a site's factory broker (its site key `enterprise/site`). */
export type BrokerId = "central" | SiteKey;
export const CENTRAL: BrokerId = "central";

export interface Account {
  username: string;
  role: Role;
  broker: BrokerId;
  /** For gateways and bridges: the site key `enterprise/site`; for machine gateways also the machine key. */
  site?: string;
  machine?: string;
  grants: Grant[];
}

export interface Site {
  enterprise: string;
  site: string;
  /** `enterprise/site`, also the factory broker's id. */
  key: SiteKey;
  machines: MachinePath[];
}

export interface BrokerPlan {
  sites: Site[];
  accounts: Account[];
}

/** Andon's own service accounts on the central broker. */
export const SERVICE_USERS = {
  ingest: "andon-ingest",
  command: "andon-command",
  dashboard: "andon-dashboard",
  pdm: "andon-pdm",
} as const;

// Slugs are a-z 0-9 _ - (lib/contract/topics.ts SEGMENT), so '.' separates levels in user names unambiguously,
// and the names are valid certificate CNs and password-file user names (no ':').
export const gatewayUser = (m: MachinePath | { enterprise: string; site: string }, scope: GatewayScope) =>
  scope === "site" || !("machine" in m) ? `gateway.${m.enterprise}.${m.site}` : `gateway.${m.enterprise}.${m.site}.${m.area}.${m.line}.${m.machine}`;
export const bridgeUser = (s: { enterprise: string; site: string }) => `bridge.${s.enterprise}.${s.site}`;

/** Machines grouped by site, sorted, so the generated files are stable. */
export function sitesOf(machines: readonly MachinePath[]): Site[] {
  const bySite = new Map<string, Site>();
  for (const m of [...machines].sort((a, b) => machineKey(a).localeCompare(machineKey(b)))) {
    const key = siteKey(m);
    let s = bySite.get(key);
    if (!s) {
      s = { enterprise: m.enterprise, site: m.site, key, machines: [] };
      bySite.set(key, s);
    }
    s.machines.push(m);
  }
  return [...bySite.values()];
}

const telemetry = (prefix: string): Grant[] => TELEMETRY_CHANNELS.map((c) => ({ access: "write", topic: `${prefix}/${c}` }));

/** What a gateway of this subtree may do: publish its telemetry (Andon's or UMH's) and responses, receive its commands. */
function gatewayGrants(prefix: string): Grant[] {
  return [
    ...telemetry(prefix),
    ...umhFilters(prefix).map((topic) => ({ access: "write" as const, topic })), // the same subtree in UMH's data model
    { access: "read", topic: `${prefix}/${COMMAND_CHANNEL}` },
    { access: "write", topic: `${prefix}/${RESPONSE_CHANNEL}` },
  ];
}

/**
 * Every account and its grants. Mosquitto denies whatever is not granted; there are no wildcard
 * accounts and no anonymous access.
 */
export function planAccounts(machines: readonly MachinePath[], gateways: GatewayScope, devices: ReadonlySet<string> = new Set()): BrokerPlan {
  const sites = sitesOf(machines);
  const enterprises = [...new Set(sites.map((s) => s.enterprise))];
  const accounts: Account[] = [];
  for (const s of sites) {
    const sitePrefix = `${siteKey(s)}/+/+/+`;
    if (gateways === "site") {
      accounts.push({ username: gatewayUser(s, "site"), role: "gateway", broker: s.key, site: s.key, grants: gatewayGrants(sitePrefix) });
    }
    // per machine: every machine's, or (beside the site's) those a device account was made for
    for (const m of s.machines) {
      if (gateways === "machine" || devices.has(machineKey(m))) {
        accounts.push({
          username: gatewayUser(m, "machine"),
          role: "gateway",
          broker: s.key,
          site: s.key,
          machine: machineKey(m),
          grants: gatewayGrants(machineKey(m)),
        });
      }
    }
    // The site's bridge on the central broker: the same subtree, seen from the other side, plus the site's alerts.
    accounts.push({
      username: bridgeUser(s),
      role: "bridge",
      broker: CENTRAL,
      site: s.key,
      grants: [...gatewayGrants(sitePrefix), { access: "read", topic: alertsTopic(s) }, { access: "write", topic: bridgeStateTopic(s) }],
    });
  }
  const perEnterprise = (f: (e: string) => Grant[]) => enterprises.flatMap(f);
  accounts.push(
    {
      username: SERVICE_USERS.ingest,
      role: "ingest",
      broker: CENTRAL,
      grants: perEnterprise((e) => [
        ...TELEMETRY_CHANNELS.map((c) => ({ access: "read" as const, topic: `${e}/+/+/+/+/${c}` })),
        ...umhEnterpriseFilters(e).map((topic) => ({ access: "read" as const, topic })),
      ]),
    },
    {
      username: SERVICE_USERS.command,
      role: "command",
      broker: CENTRAL,
      grants: perEnterprise((e) => [
        { access: "write", topic: `${e}/+/+/+/+/${COMMAND_CHANNEL}` },
        { access: "read", topic: `${e}/+/+/+/+/${RESPONSE_CHANNEL}` },
        { access: "read", topic: bridgeStateFilter(e) },
      ]),
    },
    {
      // The dashboard reads the alert stream and the machines' states (its live streams,
      // lib/features/dashboard/live-sources.ts) and publishes an alert's change when a user acknowledges or
      // resolves it (lib/features/dashboard/context.ts publishAlert). Nothing else.
      username: SERVICE_USERS.dashboard,
      role: "dashboard",
      broker: CENTRAL,
      grants: perEnterprise((e) => [
        { access: "read", topic: alertsFilter(e) },
        { access: "write", topic: alertsFilter(e) },
        { access: "read", topic: stateFilter(e) },
      ]),
    },
    {
      username: SERVICE_USERS.pdm,
      role: "pdm",
      broker: CENTRAL,
      grants: perEnterprise((e) => [{ access: "write", topic: alertsFilter(e) }]),
    },
  );
  return { sites, accounts };
}

export const accountsOn = (plan: BrokerPlan, broker: BrokerId) => plan.accounts.filter((a) => a.broker === broker);

/** Mosquitto `acl_file` text for one broker: a `user` block per account, read and write merged to `readwrite`. */
export function aclText(accounts: readonly Account[]): string {
  const out = ["# Generated by `andon broker config` from the asset model. Do not edit: regenerate.", "# Anything not granted here is denied."];
  for (const a of accounts) {
    out.push("", `# ${a.role}${a.site ? ` ${a.site}` : ""}`, `user ${a.username}`);
    const byTopic = new Map<string, Set<Access>>();
    for (const g of a.grants) byTopic.set(g.topic, (byTopic.get(g.topic) ?? new Set()).add(g.access));
    for (const [topic, acc] of byTopic) out.push(`topic ${acc.size === 2 ? "readwrite" : [...acc][0]} ${topic}`);
  }
  return `${out.join("\n")}\n`;
}

export interface TlsFiles {
  cafile: string;
  certfile: string;
  keyfile: string;
  /** Certificate mode: the CA's revocation list; a revoked client certificate fails the TLS handshake. */
  crlfile?: string;
}

export interface ListenerSpec {
  host: string;
  port: number;
  tls: TlsFiles;
  clientAuth: ClientAuth;
}

export interface BridgeSpec {
  site: Site;
  remoteHost: string;
  remotePort: number;
  cafile: string;
  /** The bridge account on the central broker: a password, or a client certificate whose CN is `bridge.<e>.<s>`. */
  auth: { password: string } | { certfile: string; keyfile: string };
}

export interface BrokerConfSpec {
  listener: ListenerSpec;
  /** Folder of the broker's own files: password file, ACL, persistence. */
  dir: string;
  /** Messages a disconnected persistent session (a stopped ingest worker, a cut bridge) may queue. */
  maxQueuedMessages: number;
  bridge?: BridgeSpec;
}

/** The bridge section of a factory broker's `mosquitto.conf`: only this site's subtree crosses it. */
export function bridgeText(b: BridgeSpec): string {
  const user = bridgeUser(b.site);
  const prefix = `${siteKey(b.site)}/+/+/+`;
  return [
    `connection ${user}`,
    `address ${b.remoteHost}:${b.remotePort}`,
    "bridge_protocol_version mqttv50",
    // A persistent session on both sides: what is published during an outage waits in this broker's queue for the
    // central broker, and commands for this site wait in the central broker's queue for this bridge.
    "cleansession false",
    "local_cleansession false",
    `remote_clientid ${user}`,
    `local_clientid ${user}.local`,
    ...("password" in b.auth
      ? [`remote_username ${user}`, `remote_password ${b.auth.password}`]
      : [`bridge_certfile ${b.auth.certfile}`, `bridge_keyfile ${b.auth.keyfile}`]),
    `bridge_cafile ${b.cafile}`,
    "bridge_insecure false",
    "notifications true",
    `notification_topic ${bridgeStateTopic(b.site)}`,
    "keepalive_interval 30",
    "restart_timeout 1 10",
    "start_type automatic",
    "# up: telemetry and command responses (QoS 1)",
    ...TELEMETRY_CHANNELS.map((c) => `topic ${prefix}/${c} out 1`),
    ...umhFilters(prefix).map((f) => `topic ${f} out 1`),
    `topic ${prefix}/${RESPONSE_CHANNEL} out 1`,
    "# down: commands for this site's machines and the site's alerts (QoS 1)",
    `topic ${prefix}/${COMMAND_CHANNEL} in 1`,
    `topic ${alertsTopic(b.site)} in 1`,
  ].join("\n");
}

/** A complete `mosquitto.conf`: one TLS listener, no anonymous access, generated accounts and ACL, persistence. */
export function mosquittoConfText(spec: BrokerConfSpec): string {
  const l = spec.listener;
  const lines = [
    "# Generated by `andon broker config`. Do not edit: regenerate.",
    `listener ${l.port} ${l.host}`,
    "protocol mqtt",
    `cafile ${l.tls.cafile}`,
    `certfile ${l.tls.certfile}`,
    `keyfile ${l.tls.keyfile}`,
    ...(l.tls.crlfile ? [`crlfile ${l.tls.crlfile}`] : []),
    "tls_version tlsv1.2",
    ...(l.clientAuth === "certificate"
      ? ["require_certificate true", "use_identity_as_username true"]
      : ["require_certificate false", `password_file ${spec.dir}/passwd`]),
    "allow_anonymous false",
    `acl_file ${spec.dir}/acl`,
    "persistence true",
    `persistence_location ${spec.dir}/data/`,
    "autosave_interval 5",
    "persistent_client_expiration 14d",
    `max_queued_messages ${spec.maxQueuedMessages}`,
    "max_queued_bytes 0",
    // Unlimited (0) is fine for clients, but Mosquitto 2.0.11 also sends it as the MQTT 5 bridge's receive maximum,
    // and a receive maximum of 0 is a protocol error: the central broker drops the bridge's CONNECT.
    `max_inflight_messages ${spec.bridge ? 1000 : 0}`,
    // the ingest worker advertises this plus headroom as its maximum packet size (lib/contract/limits.ts)
    `max_packet_size ${MQTT_MAX_PACKET_BYTES}`,
    "log_type error",
    "log_type warning",
    "log_type notice",
    "log_type information",
    "connection_messages true",
    `log_dest file ${spec.dir}/mosquitto.log`,
  ];
  if (spec.bridge) lines.push("", bridgeText(spec.bridge));
  return `${lines.join("\n")}\n`;
}
