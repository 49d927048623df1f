// The United Manufacturing Hub (UMH) data model translated into Andon's contract: a UMH topic and
// payload become one validated Andon message (lib/contract/payloads.ts) for the machine the topic's
// location names, or the reason they cannot. Topics (MQTT form):
//   umh/v1/<enterprise>/<site>/<area>/<productionLine>/<workCell>[/<originID>]/<_schema>/<tag or message...>
// The workCell is Andon's machine. Spec, examples and the state table: docs/mqtt.md, "United
// Manufacturing Hub (UMH) data model". Pure: no I/O.
import { z } from "zod";
import { type MachinePath, SEGMENT } from "./identity.ts";
import { type Telemetry, VIBRATION_FEATURES, validateTelemetry } from "./payloads.ts";
import { bounded, preview } from "./preview.ts";
import { parseTimestamp } from "./timestamp.ts";
import { andonStateOfUmhCode } from "./umh-states.ts";

export const UMH_PREFIX = "umh/v1";
export const isUmhTopic = (topic: string) => topic.startsWith(`${UMH_PREFIX}/`);

export const UMH_SCHEMAS = ["_historian", "_analytics"] as const;
export type UmhSchema = (typeof UMH_SCHEMAS)[number];

/**
 * The UMH topics of the machines under `location` (enterprise/site/area/line/machine, levels may be '+'):
 * each schema Andon takes, without and with an originID. The multi-level wildcard is only below the schema
 * (UMH's tag groups have any depth), never over the location.
 */
export const umhFilters = (location: string): string[] =>
  ["", "+/"].flatMap((origin) => UMH_SCHEMAS.map((schema) => `${UMH_PREFIX}/${location}/${origin}${schema}/#`));
/** Every UMH topic Andon takes for one enterprise (or for all with '+'). */
export const umhEnterpriseFilters = (enterprise = "+") => umhFilters(`${enterprise}/+/+/+/+`);

export interface UmhTopic {
  path: MachinePath;
  originId?: string;
  schema: UmhSchema;
  /** The levels after the schema: tag groups and tag name (_historian) or the message (_analytics: state/add). */
  rest: string[];
}

const UMH_LEVELS = ["enterprise", "site", "area", "productionLine", "workCell", "originID"] as const;

export function parseUmhTopic(topic: string): { ok: true; topic: UmhTopic } | { ok: false; reason: string } {
  if (!isUmhTopic(topic)) return { ok: false, reason: `not a UMH topic (they begin with ${UMH_PREFIX}/)` };
  const parts = topic.split("/").slice(2);
  const at = parts.findIndex((p) => p.startsWith("_"));
  if (at < 0) return { ok: false, reason: "UMH topic has no schema level (_historian or _analytics)" };
  const location = parts.slice(0, at);
  if (location.length < 5 || location.length > 6) {
    return {
      ok: false,
      reason: `UMH location ${preview(location.join("/"), 120)} has ${location.length} levels; Andon names a machine by enterprise/site/area/productionLine/workCell (and an optional originID)`,
    };
  }
  for (const [i, value] of location.entries()) {
    if (!SEGMENT.test(value)) {
      return {
        ok: false,
        reason: `UMH topic level ${UMH_LEVELS[i]} ${preview(value)} is not a valid name (Andon's asset slugs are lower-case a-z 0-9 _ -, 1-64)`,
      };
    }
  }
  const schema = parts[at] ?? "";
  if (!(UMH_SCHEMAS as readonly string[]).includes(schema)) {
    return { ok: false, reason: `UMH schema ${preview(schema)} is not taken by Andon (only ${UMH_SCHEMAS.join(" and ")})` };
  }
  const [enterprise, site, area, line, machine, originId] = location as [string, string, string, string, string, string | undefined];
  return {
    ok: true,
    topic: { path: { enterprise, site, area, line, machine }, ...(originId ? { originId } : {}), schema: schema as UmhSchema, rest: parts.slice(at + 1) },
  };
}

export type UmhTranslation =
  | {
      ok: true;
      path: MachinePath;
      telemetry: Telemetry;
      /** Values of the message that Andon does not store (a _historian message's strings), by tag name. */
      ignored: string[];
    }
  | { ok: false; reason: string };

/** A UMH message as one Andon message. Never throws; the reason says what and why. */
export function translateUmh(topic: string, raw: Uint8Array): UmhTranslation {
  const t = parseUmhTopic(topic);
  if (!t.ok) return t;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(raw).toString("utf8"));
  } catch (e) {
    return { ok: false, reason: `UMH ${t.topic.schema}: invalid JSON: ${bounded((e as Error).message, 200)}` };
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) return { ok: false, reason: `UMH ${t.topic.schema}: payload must be a JSON object` };
  return t.topic.schema === "_historian" ? historian(t.topic, json as Record<string, unknown>) : analytics(t.topic, json as Record<string, unknown>);
}

/** UMH timestamps: integer milliseconds since the epoch. Seconds by mistake are named as such. */
function umhMillis(v: unknown, field: string): number | string {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0) return `${field} must be integer epoch milliseconds, got ${preview(v)}`;
  if (v < 1e11) return `${field} ${v} is ${new Date(v).toISOString().slice(0, 10)} as milliseconds (seconds sent instead of milliseconds?)`;
  const r = parseTimestamp(v);
  return typeof r === "string" ? r.replace(/^ts/, field) : v;
}

function validated(path: MachinePath, what: string, channel: Telemetry["channel"], msg: object, ignored: string[] = []): UmhTranslation {
  const r = validateTelemetry(channel, { v: 1, ...msg });
  if (!r.ok) return { ok: false, reason: `UMH ${what} -> Andon ${channel}: ${r.reason}` };
  return { ok: true, path, telemetry: r.value, ignored };
}

const METRIC_NAME = /^[a-z][a-z0-9_.]{0,99}$/;
const MAX_DEPTH = 8;
const MAX_VALUES = 1000;

/**
 * A _historian message: `timestamp_ms` and tag values, possibly grouped (nested objects, or tag groups in
 * the topic). Numbers become Andon metrics named by the tag path joined with '.', booleans 1 or 0; the
 * tag group `vibration[/<sensor>]` holding Andon's vibration feature names becomes a vibration message.
 */
function historian(t: UmhTopic, json: Record<string, unknown>): UmhTranslation {
  const what = "_historian";
  const ts = umhMillis(json.timestamp_ms, "timestamp_ms");
  if (typeof ts === "string") return { ok: false, reason: `UMH ${what}: ${ts}` };
  const numbers: { tag: string[]; value: number }[] = [];
  const strings: string[] = [];
  const fields = Object.entries(json).filter(([k]) => k !== "timestamp_ms");
  if (fields.length === 0) return { ok: false, reason: `UMH ${what}: no tag values beside timestamp_ms` };
  // UMH Core's time-series form {"timestamp_ms", "value"}: the tag's name is the topic's
  const only = fields.length === 1 && fields[0]?.[0] === "value" && t.rest.length > 0;
  // breadth first, in the message's order; nested objects are tag groups
  const queue: [string[], unknown, number][] = fields.map(([k, v]) => [only ? t.rest : [...t.rest, k], v, 1]);
  for (let i = 0; i < queue.length; i++) {
    const [tag, v, depth] = queue[i] as [string[], unknown, number];
    if (queue.length > MAX_VALUES) return { ok: false, reason: `UMH ${what}: more than ${MAX_VALUES} tags and tag groups` };
    if (typeof v === "number" && Number.isFinite(v)) numbers.push({ tag, value: v });
    else if (typeof v === "boolean") numbers.push({ tag, value: v ? 1 : 0 });
    else if (typeof v === "string") strings.push(tag.join("."));
    else if (typeof v === "object" && v !== null && !Array.isArray(v) && depth < MAX_DEPTH) {
      for (const [k, x] of Object.entries(v)) queue.push([[...tag, k], x, depth + 1]);
    } else {
      return { ok: false, reason: `UMH ${what}: tag ${preview(tag.join("."), 80)} has ${preview(v)}; UMH tag values are numbers, booleans or strings` };
    }
  }
  if (numbers.length === 0) {
    return { ok: false, reason: `UMH ${what}: no numeric tag values (Andon stores numbers; strings not stored: ${bounded(strings.join(", "), 200)})` };
  }
  if (t.rest[0] === "vibration" && t.rest.length <= 2) return vibration(t, ts, numbers, strings);
  const metrics: { name: string; value: number }[] = [];
  const seen = new Map<string, string>();
  for (const { tag, value } of numbers) {
    const original = tag.join(".");
    const name = original.toLowerCase().replace(/-/g, "_");
    if (!METRIC_NAME.test(name)) {
      return {
        ok: false,
        reason: `UMH ${what}: tag ${preview(original, 80)} cannot be an Andon metric name (a-z 0-9 _ . after lower-casing, starting with a letter, up to 100)`,
      };
    }
    const before = seen.get(name);
    if (before !== undefined) return { ok: false, reason: `UMH ${what}: tags ${preview(before, 60)} and ${preview(original, 60)} both become metric ${name}` };
    seen.set(name, original);
    metrics.push({ name, value });
  }
  return validated(t.path, what, "metrics", { ts, metrics }, strings);
}

function vibration(t: UmhTopic, ts: number, numbers: { tag: string[]; value: number }[], strings: string[]): UmhTranslation {
  const what = `_historian/${bounded(t.rest.join("/"), 80)}`;
  const features: Record<string, number> = {};
  for (const { tag, value } of numbers) {
    const feature = tag.slice(t.rest.length).join(".");
    if (!(VIBRATION_FEATURES as readonly string[]).includes(feature)) {
      return { ok: false, reason: `UMH ${what}: ${preview(feature, 80)} is not one of Andon's vibration features (${VIBRATION_FEATURES.join(", ")})` };
    }
    features[feature] = value;
  }
  return validated(t.path, what, "vibration", { ts, sensor: t.rest[1] ?? "main", ...features }, strings);
}

const count = (field: string) =>
  z
    .number({ error: `${field} must be a number` })
    .int(`${field} must be an integer`)
    .min(0)
    .max(Number.MAX_SAFE_INTEGER);
const StateAdd = z.object({
  state: count("state").min(1, "state is required (a UMH state code, e.g. 10000)").max(2_147_483_647),
});
const ProductAdd = z.object({
  quantity: count("quantity").min(1, "quantity must be at least 1"),
  bad_quantity: count("bad_quantity").default(0),
});

/** `start_time_unix_ms` (UMH's implementation), else `start_time` (an earlier version of UMH's page: ISO 8601 or ms). */
function analyticsTime(o: Record<string, unknown>, field: "start_time" | "end_time"): { ok: true; ts: number | string } | { ok: false; reason: string } {
  const ms = o[`${field}_unix_ms`];
  const alt = o[field];
  if (ms === undefined && alt === undefined) return { ok: false, reason: `${field}_unix_ms is required` };
  if (ms !== undefined || typeof alt === "number") {
    const r = ms !== undefined ? umhMillis(ms, `${field}_unix_ms`) : umhMillis(alt, field);
    return typeof r === "string" ? { ok: false, reason: r } : { ok: true, ts: r };
  }
  const r = parseTimestamp(alt);
  return typeof r === "string" ? { ok: false, reason: r.replace(/^ts/, field) } : { ok: true, ts: alt as string };
}

/** _analytics messages Andon understands as another part of its model; each says where that lives in Andon. */
export const UMH_ANALYTICS_NOT_TAKEN: Readonly<Record<string, string>> = {
  "work-order/create": "Andon computes OEE per machine and calendar, not per work order",
  "work-order/start": "Andon computes OEE per machine and calendar, not per work order",
  "work-order/stop": "Andon computes OEE per machine and calendar, not per work order",
  "product-type/create": "a machine's ideal cycle time is a machine setting in Andon (/admin/assets)",
  "product/setBadQuantity": "Andon does not rewrite stored counts; send the correction as a later product/add or counts delta",
  "shift/add": "shifts are the site's calendar in Andon (/admin/assets), not messages",
  "shift/delete": "shifts are the site's calendar in Andon (/admin/assets), not messages",
  "state/overwrite": "Andon keeps states as they were sent; correct a stop's reason on the plant page",
};

function analytics(t: UmhTopic, json: Record<string, unknown>): UmhTranslation {
  const op = t.rest.join("/");
  const what = `_analytics/${bounded(op, 80)}`;
  const fail = (reason: string): UmhTranslation => ({ ok: false, reason: `UMH ${what}: ${reason}` });
  const issues = (e: z.ZodError) =>
    e.issues
      .slice(0, 3)
      .map((i) => bounded(i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message, 200))
      .join("; ");
  if (op === "state/add") {
    const p = StateAdd.safeParse(json);
    if (!p.success) return fail(issues(p.error));
    const at = analyticsTime(json, "start_time");
    if (!at.ok) return fail(at.reason);
    const name = andonStateOfUmhCode(p.data.state);
    return validated(t.path, what, "state", { ts: at.ts, code: p.data.state, ...(name ? { state: name } : {}) });
  }
  if (op === "product/add") {
    const p = ProductAdd.safeParse(json);
    if (!p.success) return fail(issues(p.error));
    const at = analyticsTime(json, "end_time");
    if (!at.ok) return fail(at.reason);
    // a product/add is the parts of one finished portion: a delta, counted when it ended
    return validated(t.path, what, "counts", { ts: at.ts, mode: "delta", total: p.data.quantity, reject: p.data.bad_quantity });
  }
  const notTaken = UMH_ANALYTICS_NOT_TAKEN[op];
  if (notTaken) return fail(`not taken by Andon: ${notTaken} (docs/mqtt.md, moving OEE from UMH)`);
  return fail(`unknown _analytics message (Andon takes state/add and product/add)`);
}
