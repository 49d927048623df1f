// Every MQTT topic Andon publishes or subscribes to, built and parsed here and nowhere else.
// ISA-95 unified namespace: <enterprise>/<site>/<area>/<line>/<machine>/<channel>; a site's own
// topics are <enterprise>/<site>/<name>. Spec: docs/mqtt.md. Pure: no I/O.
import { type MachineKey, type MachinePath, machineKey, SEGMENT, type SiteKey, type SitePath, siteKey } from "./identity.ts";

export const TELEMETRY_CHANNELS = ["state", "counts", "vibration", "waveform", "metrics"] as const;
export type TelemetryChannel = (typeof TELEMETRY_CHANNELS)[number];

export type TopicParse = { ok: true; path: MachinePath; channel: TelemetryChannel } | { ok: false; reason: string };

const keyOf = (m: MachinePath | MachineKey) => (typeof m === "string" ? m : machineKey(m));
const siteKeyOf = (s: SitePath | SiteKey) => (typeof s === "string" ? s : siteKey(s));

export function telemetryTopic(p: MachinePath | MachineKey, channel: TelemetryChannel): string {
  return `${keyOf(p)}/${channel}`;
}

/** Subscription filter for all telemetry of one enterprise (or all enterprises with '+'). */
export function telemetryFilters(enterprise = "+"): string[] {
  return TELEMETRY_CHANNELS.map((c) => `${enterprise}/+/+/+/+/${c}`);
}

/** Subscription filter for the state channel of every machine of one enterprise (or of all with '+'). */
export const stateFilter = (enterprise = "+") => `${enterprise}/+/+/+/+/state`;

export function sharedFilter(group: string, filter: string): string {
  return `$share/${group}/${filter}`;
}

const LEVELS = ["enterprise", "site", "area", "line", "machine"] as const;

export function parseTelemetryTopic(topic: string): TopicParse {
  const parts = topic.split("/");
  if (parts.length !== 6) {
    return { ok: false, reason: `topic must have 6 levels enterprise/site/area/line/machine/channel, got ${parts.length}` };
  }
  const [enterprise, site, area, line, machine, channel] = parts as [string, string, string, string, string, string];
  for (let i = 0; i < 5; i++) {
    const value = parts[i] as string;
    if (!SEGMENT.test(value)) return { ok: false, reason: `topic level ${LEVELS[i]} "${value}" is not a valid name` };
  }
  if (!(TELEMETRY_CHANNELS as readonly string[]).includes(channel)) {
    return { ok: false, reason: `unknown channel "${channel}" (expected ${TELEMETRY_CHANNELS.join(", ")})` };
  }
  return { ok: true, path: { enterprise, site, area, line, machine }, channel: channel as TelemetryChannel };
}

/** `<machine>/command`: the command service publishes here (MQTT 5 request with a response topic). */
export const COMMAND_CHANNEL = "command";
/** `<machine>/command/response`: the machine's answer (the request's response topic). */
export const RESPONSE_CHANNEL = "command/response";

/** The command topic of a machine: Andon's command service publishes, the machine (gateway) subscribes. */
export const commandTopic = (m: MachinePath | MachineKey) => `${keyOf(m)}/${COMMAND_CHANNEL}`;
/** Where the machine answers: the MQTT 5 response topic of every command request. */
export const responseTopic = (m: MachinePath | MachineKey) => `${keyOf(m)}/${RESPONSE_CHANNEL}`;
/** Subscription for every answer of one enterprise. */
export const responseFilter = (enterprise: string) => `${enterprise}/+/+/+/+/${RESPONSE_CHANNEL}`;

/** The machine key of a command or response topic, or undefined when the topic is neither. */
export function machineOfCommandTopic(topic: string): { key: MachineKey; response: boolean } | undefined {
  const parts = topic.split("/");
  const response = parts.length === 7 && parts[6] === "response";
  if (!(parts.length === 6 || response) || parts[5] !== COMMAND_CHANNEL) return undefined;
  if (!parts.slice(0, 5).every((s) => SEGMENT.test(s))) return undefined;
  return { key: parts.slice(0, 5).join("/") as MachineKey, response };
}

/** `<enterprise>/<site>/alerts`: three levels, so no telemetry subscription (six levels) receives it. */
export const alertsTopic = (s: SitePath | SiteKey) => `${siteKeyOf(s)}/alerts`;
/** Every site's alerts of one enterprise (or of all with '+'). */
export const alertsFilter = (enterprise = "+") => `${enterprise}/+/alerts`;

/** The site of an alerts topic, or undefined when the topic is not one. */
export function siteOfAlertsTopic(topic: string): SiteKey | undefined {
  const parts = topic.split("/");
  if (parts.length !== 3 || parts[2] !== "alerts" || !SEGMENT.test(parts[0] ?? "") || !SEGMENT.test(parts[1] ?? "")) return undefined;
  return `${parts[0]}/${parts[1]}` as SiteKey;
}

/**
 * `<enterprise>/<site>/bridge/state`: retained "1" while the site's bridge is connected to the central broker, "0"
 * once it is not (Mosquitto's bridge notification; "0" is the bridge's will). Four levels: no telemetry or alert
 * subscription matches it. The command service reads it to know which sites are reachable.
 */
export const bridgeStateTopic = (s: SitePath | SiteKey) => `${siteKeyOf(s)}/bridge/state`;
/** Every site's bridge state of one enterprise (or of all with '+'). */
export const bridgeStateFilter = (enterprise = "+") => `${enterprise}/+/bridge/state`;

/** The site of a bridge-state topic, or undefined when the topic is not one. */
export function siteOfBridgeStateTopic(topic: string): SiteKey | undefined {
  const parts = topic.split("/");
  if (parts.length !== 4 || parts[2] !== "bridge" || parts[3] !== "state") return undefined;
  if (!SEGMENT.test(parts[0] ?? "") || !SEGMENT.test(parts[1] ?? "")) return undefined;
  return `${parts[0]}/${parts[1]}` as SiteKey;
}
