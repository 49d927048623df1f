// Broker accounts, topic ACLs and bridge configuration generated from the asset model.
// Pure: no I/O. `lib/features/broker/generate.ts` writes the files, hashes the passwords and makes the certificates.
//
// Layout (docs/deployment.md): one central broker (Andon's services, one bridge account per site) and
// one factory broker per site (that site's gateways), each factory bridged to the central broker:
// telemetry and command responses up, commands and alerts down, each site only its own subtree.

import { type MachinePath, machineKey, type SiteKey, siteKey } from "#lib/contract/identity.ts";
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
import { commandSparkplugGrants, type EdgeNodeRef, edgeNodeGrants, edgeNodesFor, ingestSparkplugGrants, type SparkplugAccess } from "./sparkplug-acl.ts";

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
  /** The Sparkplug edge nodes mapped to this site's machines (./sparkplug-acl.ts). */
  edgeNodes?: EdgeNodeRef[];
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
export function planAccounts(
  machines: readonly MachinePath[],
  gateways: GatewayScope,
  devices: ReadonlySet<string> = new Set(),
  sparkplug?: SparkplugAccess,
): BrokerPlan {
  const sites = sitesOf(machines);
  // a Sparkplug edge node belongs to the site (and machine) of the machines its metrics are mapped to
  const nodesOf = (prefix: string) => edgeNodesFor(sparkplug, (machine) => machine === prefix || machine.startsWith(`${prefix}/`));
  const edgeGrants = (prefix: string) => edgeNodeGrants(nodesOf(prefix), sparkplug);
  const enterprises = [...new Set(sites.map((s) => s.enterprise))];
  const accounts: Account[] = [];
  for (const s of sites) {
    const sitePrefix = `${siteKey(s)}/+/+/+`;
    s.edgeNodes = nodesOf(s.key);
    const siteEdge = edgeNodeGrants(s.edgeNodes, sparkplug);
    if (gateways === "site") {
      accounts.push({ username: gatewayUser(s, "site"), role: "gateway", broker: s.key, site: s.key, grants: [...gatewayGrants(sitePrefix), ...siteEdge] });
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
          grants: [...gatewayGrants(machineKey(m)), ...edgeGrants(machineKey(m))],
        });
      }
    }
    // The site's bridge on the central broker: the same subtree, seen from the other side, plus the site's alerts.
    accounts.push({
      username: bridgeUser(s),
      role: "bridge",
      broker: CENTRAL,
      site: s.key,
      grants: [...gatewayGrants(sitePrefix), ...siteEdge, { access: "read", topic: alertsTopic(s) }, { access: "write", topic: bridgeStateTopic(s) }],
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
      ]).concat(ingestSparkplugGrants(sparkplug)),
    },
    {
      username: SERVICE_USERS.command,
      role: "command",
      broker: CENTRAL,
      grants: perEnterprise((e) => [
        { access: "write", topic: `${e}/+/+/+/+/${COMMAND_CHANNEL}` },
        { access: "read", topic: `${e}/+/+/+/+/${RESPONSE_CHANNEL}` },
        { access: "read", topic: bridgeStateFilter(e) },
      ]).concat(commandSparkplugGrants(sparkplug)),
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
