// Sparkplug B (spBv1.0) topics in the generated accounts, ACLs and bridges (lib/features/broker/acl.ts).
// Sparkplug topics name no site, so the admins' Sparkplug mapping (group / edge node / device / metric ->
// machine, PostgreSQL) says where an edge node belongs: to the sites (and machines) of the machines its metrics
// are mapped to. Least privilege: an edge node's account publishes its own births, data and deaths and reads its
// own commands and the primary host's STATE; the ingest account reads the configured groups and writes rebirth
// requests (NCMD), its STATE and the answers for Sparkplug commands; the command account writes the DCMD (NCMD
// for an edge node's own metric) of each mapped command metric. Pure: no I/O.
import { isSparkplugId, SPARKPLUG_NAMESPACE, type SparkplugType, sparkplugGroupFilter, sparkplugStateTopic, sparkplugTopic } from "#lib/contract/sparkplug.ts";
import { RESPONSE_CHANNEL } from "#lib/contract/topics.ts";

type Grant = { access: "read" | "write"; topic: string };

/** One row of the admins' mapping, as far as the broker needs it. */
export interface SparkplugMappingRef {
  group: string;
  edgeNode: string;
  device: string;
  /** The machine's key, enterprise/site/area/line/machine. */
  machine: string;
  channel: string;
}

export interface SparkplugAccess {
  /** INGEST_SPARKPLUG_GROUPS: the groups the ingest worker is the host application of. */
  groups: readonly string[];
  /** INGEST_SPARKPLUG_HOST_ID: the STATE topic the ingest worker publishes and edge nodes read. */
  hostId: string;
  mappings: readonly SparkplugMappingRef[];
}

export interface EdgeNodeRef {
  group: string;
  edgeNode: string;
}

// Mosquitto's acl_file and a bridge's `topic` lines separate fields by white space: an id with white space
// cannot be granted or bridged (Sparkplug allows it; nothing but `/ + #` is forbidden).
function checkId(kind: string, id: string): void {
  if (!isSparkplugId(id) || /\s/.test(id)) {
    throw new Error(`Sparkplug ${kind} "${id}" (in the Sparkplug mapping or INGEST_SPARKPLUG_*) cannot be named in a broker ACL: no white space, / + or #`);
  }
}

/** The edge nodes whose metrics are mapped to a machine `inScope` accepts, sorted, once each. */
export function edgeNodesFor(sp: SparkplugAccess | undefined, inScope: (machine: string) => boolean): EdgeNodeRef[] {
  const out = new Map<string, EdgeNodeRef>();
  for (const m of sp?.mappings ?? []) {
    if (!inScope(m.machine)) continue;
    checkId("group", m.group);
    checkId("edge node", m.edgeNode);
    out.set(`${m.group}/${m.edgeNode}`, { group: m.group, edgeNode: m.edgeNode });
  }
  return [...out.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, n]) => n);
}

const nodeTopic = (n: EdgeNodeRef, type: SparkplugType) => sparkplugTopic({ group: n.group, type, edgeNode: n.edgeNode });
const NODE_UP: SparkplugType[] = ["NBIRTH", "NDATA", "NDEATH"];
const DEVICE_UP: SparkplugType[] = ["DBIRTH", "DDATA", "DDEATH"];

/** What an edge node publishes (its births, data and deaths, its devices' too): the data that goes up. */
export const edgeNodeUpTopics = (n: EdgeNodeRef): string[] => [...NODE_UP.map((t) => nodeTopic(n, t)), ...DEVICE_UP.map((t) => `${nodeTopic(n, t)}/+`)];
/** What an edge node receives: commands to it and its devices. */
export const edgeNodeDownTopics = (n: EdgeNodeRef): string[] => [nodeTopic(n, "NCMD"), `${nodeTopic(n, "DCMD")}/+`];

/** The grants of an account that is (or carries, as a bridge) these edge nodes. */
export function edgeNodeGrants(nodes: readonly EdgeNodeRef[], sp: SparkplugAccess | undefined): Grant[] {
  if (!sp || !nodes.length) return [];
  checkId("host id", sp.hostId);
  return [
    ...nodes.flatMap((n) => [
      ...edgeNodeUpTopics(n).map((topic) => ({ access: "write" as const, topic })),
      ...edgeNodeDownTopics(n).map((topic) => ({ access: "read" as const, topic })),
    ]),
    // Sparkplug 3.0: an edge node watches its primary host's STATE (retained) before it publishes its births
    { access: "read", topic: sparkplugStateTopic(sp.hostId) },
  ];
}

/** The ingest worker as host application: reads its groups, asks for rebirths, publishes its STATE and the answers for Sparkplug commands. */
export function ingestSparkplugGrants(sp: SparkplugAccess | undefined): Grant[] {
  if (!sp?.groups.length) return [];
  checkId("host id", sp.hostId);
  for (const g of sp.groups) checkId("group", g);
  const answered = [...new Set(sp.mappings.filter((m) => m.channel === "command").map((m) => m.machine))].sort();
  return [
    ...sp.groups.flatMap((g) => [
      { access: "read" as const, topic: sparkplugGroupFilter(g) },
      { access: "write" as const, topic: `${SPARKPLUG_NAMESPACE}/${g}/NCMD/+` },
    ]),
    { access: "write", topic: sparkplugStateTopic(sp.hostId) },
    // a Sparkplug device does not answer a command; the host answers for it (lib/features/ingest/sparkplug-commands.ts)
    ...answered.map((machine) => ({ access: "write" as const, topic: `${machine}/${RESPONSE_CHANNEL}` })),
  ];
}

/** The command service: the DCMD (NCMD for an edge node's own metric) of each metric mapped to a command type. */
export function commandSparkplugGrants(sp: SparkplugAccess | undefined): Grant[] {
  const topics = new Set<string>();
  for (const m of sp?.mappings ?? []) {
    if (m.channel !== "command") continue;
    checkId("group", m.group);
    checkId("edge node", m.edgeNode);
    if (m.device) checkId("device", m.device);
    topics.add(sparkplugTopic({ group: m.group, type: m.device ? "DCMD" : "NCMD", edgeNode: m.edgeNode, ...(m.device ? { device: m.device } : {}) }));
  }
  return [...topics].sort().map((topic) => ({ access: "write", topic }));
}

/** A factory broker's bridge lines for its site's edge nodes: data up, commands and the host's STATE down (QoS 1). */
export function sparkplugBridgeLines(nodes: readonly EdgeNodeRef[], sp: SparkplugAccess | undefined): string[] {
  if (!sp || !nodes.length) return [];
  return [
    "# Sparkplug B edge nodes of this site: births, data and deaths up; NCMD/DCMD and the host's STATE down (QoS 1)",
    ...nodes.flatMap((n) => [...edgeNodeUpTopics(n).map((t) => `topic ${t} out 1`), ...edgeNodeDownTopics(n).map((t) => `topic ${t} in 1`)]),
    `topic ${sparkplugStateTopic(sp.hostId)} in 1`,
  ];
}
