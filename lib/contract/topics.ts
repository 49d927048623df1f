// ISA-95 unified namespace: <enterprise>/<site>/<area>/<line>/<machine>/<channel>.
// Spec: docs/mqtt.md. Pure: no I/O.

export const TELEMETRY_CHANNELS = ["state", "counts", "vibration", "waveform", "metrics"] as const;
export type TelemetryChannel = (typeof TELEMETRY_CHANNELS)[number];

/** One level of the namespace: lower-case letters, digits, '-' and '_', 1–64 characters. */
export const SEGMENT = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export interface MachinePath {
  enterprise: string;
  site: string;
  area: string;
  line: string;
  machine: string;
}

export type TopicParse = { ok: true; path: MachinePath; channel: TelemetryChannel } | { ok: false; reason: string };

export function machineKey(p: MachinePath): string {
  return `${p.enterprise}/${p.site}/${p.area}/${p.line}/${p.machine}`;
}

export function telemetryTopic(p: MachinePath, channel: TelemetryChannel): string {
  return `${machineKey(p)}/${channel}`;
}

/** Subscription filter for all telemetry of one enterprise (or all enterprises with '+'). */
export function telemetryFilters(enterprise = "+"): string[] {
  return TELEMETRY_CHANNELS.map((c) => `${enterprise}/+/+/+/+/${c}`);
}

export function sharedFilter(group: string, filter: string): string {
  return `$share/${group}/${filter}`;
}

export function parseTelemetryTopic(topic: string): TopicParse {
  const parts = topic.split("/");
  if (parts.length !== 6) {
    return { ok: false, reason: `topic must have 6 levels enterprise/site/area/line/machine/channel, got ${parts.length}` };
  }
  const [enterprise, site, area, line, machine, channel] = parts as [string, string, string, string, string, string];
  for (const [name, value] of Object.entries({ enterprise, site, area, line, machine })) {
    if (!SEGMENT.test(value)) return { ok: false, reason: `topic level ${name} "${value}" is not a valid name` };
  }
  if (!(TELEMETRY_CHANNELS as readonly string[]).includes(channel)) {
    return { ok: false, reason: `unknown channel "${channel}" (expected ${TELEMETRY_CHANNELS.join(", ")})` };
  }
  return { ok: true, path: { enterprise, site, area, line, machine }, channel: channel as TelemetryChannel };
}
