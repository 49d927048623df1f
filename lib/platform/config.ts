// The only reader of process.env. Every setting is parsed and validated once, at start;
// a broken setting stops the process with a message that names it.
import { existsSync, readFileSync } from "node:fs";
import { isIP } from "node:net";
import { hostname } from "node:os";
import { join, resolve } from "node:path";
import { z } from "zod";

// In the Next.js server bundle import.meta.dirname is not set; the server runs from the repository root.
const REPO_ROOT = import.meta.dirname ? resolve(import.meta.dirname, "..", "..") : process.cwd();

const url = (protocols: string[]) =>
  z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a URL with scheme ${protocols.map((p) => `${p}//`).join(" or ")}` },
  );

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const bool = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");
/** "10.0.0.1", "::1", "10.0.0.0/8", "fd00::/8": an IP address or a CIDR block. */
function isAddressOrCidr(entry: string): boolean {
  const [ip = "", prefix, ...rest] = entry.split("/");
  const family = isIP(ip);
  if (!family || rest.length) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}
/** A comma-separated list, trimmed, empty entries dropped. */
const commaList = z.string().transform((v) =>
  v
    .split(",")
    .map((e) => e.trim())
    .filter(Boolean),
);
const sparkplugId = /^[^/+#\s]{1,128}$/;
const addressList = commaList.refine((list) => list.every(isAddressOrCidr), {
  message: "comma-separated IP addresses or CIDR blocks (e.g. 10.0.0.5,192.168.0.0/16,::1)",
});

/** `host:port` (a bracketed IPv6 host too: `[::1]:7001`) into its parts; undefined when it is not one. */
export function parseNode(entry: string): { host: string; port: number } | undefined {
  const m = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(entry.trim());
  const port = Number(m?.[2]);
  if (!m?.[1] || !Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  return { host: m[1].replace(/^\[(.*)\]$/, "$1"), port };
}
const nodeList = commaList.refine((list) => list.length > 0 && list.every((e) => parseNode(e) !== undefined), {
  message: "comma-separated host:port seed nodes of a Redis Cluster (e.g. 10.0.0.5:7001,10.0.0.6:7002)",
});

const optionalFile = z
  .string()
  .optional()
  .refine((v) => v === undefined || existsSync(v), { message: "file does not exist" });

/** Every configuration variable, its default and its meaning. The README table is generated from `CONFIG_DOCS`. */
const schema = z.object({
  ANDON_HOME: z.string().default(join(REPO_ROOT, ".andon")),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),

  DATABASE_URL: url(["postgresql:", "postgres:"]).default("postgresql://postgres@127.0.0.1:5432/andon"),
  REDIS_URL: url(["redis:", "rediss:"]).default("redis://127.0.0.1:6379"),
  REDIS_CLUSTER_NODES: nodeList.optional(),

  MQTT_URL: url(["mqtt:", "mqtts:", "ws:", "wss:"]).default("mqtt://127.0.0.1:1883"),
  MQTT_USERNAME: z.string().min(1).optional(),
  MQTT_PASSWORD: z.string().min(1).optional(),
  MQTT_CA_FILE: optionalFile,
  MQTT_CERT_FILE: optionalFile,
  MQTT_KEY_FILE: optionalFile,
  MQTT_TLS_REJECT_UNAUTHORIZED: bool.default(true),

  QUESTDB_HTTP_URL: url(["http:", "https:"]).default("http://127.0.0.1:9000"),
  QUESTDB_PG_URL: url(["postgresql:", "postgres:"]).default("postgresql://admin@127.0.0.1:8812/qdb"),
  QUESTDB_PG_PASSWORD: z.string().min(1).optional(),
  QUESTDB_ILP_PORT: int(1, 65535).default(9009),
  QUESTDB_HEALTH_PORT: int(1, 65535).default(9003),
  QUESTDB_VERSION: z
    .string()
    .regex(/^\d+\.\d+\.\d+$/, "must be a version like 9.3.4")
    .default("9.3.4"),
  QUESTDB_JAVA_HOME: z.string().optional(),

  INGEST_SHARE_GROUP: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, "letters, digits, _ and - only")
    .default("andon-ingest"),
  INGEST_CLIENT_ID: z.string().min(1).max(64).default(`andon-ingest-${hostname()}-0`),
  INGEST_ENTERPRISE: z
    .string()
    .regex(/^(\+|[a-z0-9][a-z0-9_-]{0,63})$/, "an enterprise slug, or + for all")
    .default("+"),
  INGEST_SESSION_EXPIRY_S: int(1, 4294967295).default(7 * 24 * 3600),
  INGEST_RECEIVE_MAXIMUM: int(1, 65535).default(20000),
  INGEST_BATCH_ROWS: int(1, 1_000_000).default(5000),
  INGEST_BATCH_BYTES: int(64 * 1024, 256 * 1024 * 1024).default(8 * 1024 * 1024),
  INGEST_MAX_HELD_BYTES: int(16 * 1024 * 1024, 16 * 1024 * 1024 * 1024).default(256 * 1024 * 1024),
  INGEST_FLUSH_MS: int(1, 60_000).default(200),
  INGEST_MAX_FUTURE_S: int(0, 86400 * 365).default(300),
  INGEST_MAX_AGE_S: int(1, 86400 * 3650).default(30 * 86400),
  INGEST_ASSET_REFRESH_S: int(1, 86400).default(30),
  INGEST_METRICS_PORT: int(0, 65535).default(9464),
  INGEST_UMH: bool.default(false),
  INGEST_SPARKPLUG_GROUPS: commaList
    .refine((list) => list.every((g) => sparkplugId.test(g) && g !== "STATE"), {
      message: "comma-separated Sparkplug group ids (no / + # or spaces, not STATE)",
    })
    .default([]),
  INGEST_SPARKPLUG_HOST_ID: z.string().regex(sparkplugId, "a Sparkplug host id: no / + # or spaces").default("andon"),

  SIM_SEED: int(0, 2 ** 31 - 1).default(42),
  SIM_INTERVAL_MS: int(10, 3_600_000).default(1000),
  SIM_WAVEFORM_EVERY: int(0, 10_000).default(60),
  SIM_DEGRADE: z.string().default(""),
  SIM_DEMO_DEGRADE: z.string().default("dresden/machining/line-1/pump-01:0.15"),
  SIM_METRICS_PORT: int(0, 65535).default(9465),
  SIM_HISTORY_DAYS: int(0, 30).default(7),
  SIM_HISTORY_STEP_S: int(1, 3600).default(60),
  SIM_HISTORY_DEGRADE: z.string().default("monterrey/stamping/press-1/pump-01:100"),
  SIM_OFFLINE: z.string().default(""),
  SIM_SPARKPLUG_LINES: z.string().default(""),
  SIM_SPARKPLUG_GROUP: z.string().regex(sparkplugId, "a Sparkplug group id: no / + # or spaces").default("andon-sim"),

  COMMAND_CLIENT_ID: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, "1-64 of A-Z a-z 0-9 _ . -")
    .default("andon-commands"),
  COMMAND_TICK_MS: int(50, 60_000).default(1000),
  COMMAND_ANSWER_GRACE_S: int(0, 3600).default(5),

  QUEUE_PREFIX: z
    .string()
    .regex(/^\{[A-Za-z0-9_-]{1,64}\}$/, "must be a Redis hash tag such as {andon}")
    .default("{andon}"),
  OEE_JOB_LOCK_MS: int(1000, 600_000).default(30_000),
  OEE_METRICS_PORT: int(0, 65535).default(9466),

  WEB_PORT: int(1, 65535).default(3000),
  WEB_SHARE_MS: int(0, 60_000).default(2000),
  TRUSTED_PROXIES: addressList.default([]),
  WEB_IO_TIMEOUT_MS: int(100, 60_000).default(5000),

  ANDON_TOPOLOGY: z.enum(["single", "multi-site"]).default("single"),
  ANDON_BROKER: z.enum(["mosquitto", "hivemq"]).default("mosquitto"),
  BROKER_GATEWAY_ACCOUNTS: z.enum(["site", "machine"]).default("site"),
  BROKER_CLIENT_AUTH: z.enum(["password", "certificate"]).default("password"),
  BROKER_BIND_HOST: z.string().min(1).default("127.0.0.1"),
  BROKER_CENTRAL_HOST: z
    .string()
    .regex(/^[A-Za-z0-9.:-]+$/, "a host name or IP address")
    .default("127.0.0.1"),
  BROKER_CENTRAL_PORT: int(1, 65535).default(8883),
  BROKER_SITE_PORTS_FROM: int(1, 65535).default(8884),
  BROKER_MAX_QUEUED_MESSAGES: int(1000, 1_000_000_000).default(1_000_000),
  SIM_SITES: z
    .string()
    .regex(
      /^$|^[a-z0-9][a-z0-9_-]{0,63}\/[a-z0-9][a-z0-9_-]{0,63}(,[a-z0-9][a-z0-9_-]{0,63}\/[a-z0-9][a-z0-9_-]{0,63})*$/,
      "comma-separated enterprise/site keys",
    )
    .default(""),
});

export type Config = z.infer<typeof schema>;

export const CONFIG_DOCS: Record<keyof Config, string> = {
  ANDON_HOME: "Folder for Andon's own state: the QuestDB jar and data, local service data, logs, generated secrets (git-ignored).",
  LOG_LEVEL: "pino log level.",
  DATABASE_URL: "PostgreSQL for the asset model, users, alerts, commands (Prisma).",
  REDIS_URL: "Redis for BullMQ queues. Run it with `maxmemory-policy noeviction`.",
  REDIS_CLUSTER_NODES:
    "A Redis Cluster instead of one server: comma-separated `host:port` seed nodes (e.g. `10.0.0.5:7001,10.0.0.6:7002`). REDIS_URL then gives only the credentials and TLS (`rediss://`). Every Andon key sits in QUEUE_PREFIX's slot (docs/deployment.md).",
  MQTT_URL: "The central MQTT broker (MQTT 5). `mqtts://` for TLS.",
  MQTT_USERNAME: "Broker user name.",
  MQTT_PASSWORD: "Broker password (never logged).",
  MQTT_CA_FILE: "PEM CA bundle that signs the broker's certificate.",
  MQTT_CERT_FILE: "PEM client certificate for X.509 client authentication.",
  MQTT_KEY_FILE: "PEM private key of the client certificate.",
  MQTT_TLS_REJECT_UNAUTHORIZED: "Check the broker's certificate (leave `true` outside experiments).",
  QUESTDB_HTTP_URL: "QuestDB HTTP endpoint: ILP over HTTP writes and `/exec` DDL.",
  QUESTDB_PG_URL: "QuestDB PostgreSQL-wire endpoint for queries.",
  QUESTDB_PG_PASSWORD: "Password for QUESTDB_PG_URL; for the QuestDB Andon runs itself a random one is generated into `$ANDON_HOME/andon.env`.",
  QUESTDB_ILP_PORT:
    "ILP-over-TCP port of the QuestDB Andon runs itself (127.0.0.1; Andon writes over HTTP, this is for other writers). Its HTTP and PG-wire ports are those of QUESTDB_HTTP_URL and QUESTDB_PG_URL.",
  QUESTDB_HEALTH_PORT: "Health-check (minimal HTTP) port of the QuestDB Andon runs itself (127.0.0.1).",
  QUESTDB_VERSION: "Version of `org.questdb:questdb` that set-up fetches from Maven Central (pinned).",
  QUESTDB_JAVA_HOME: "JDK used to run QuestDB (default: the `java` on PATH; a 9.4+ version needs Java 25).",
  INGEST_SHARE_GROUP: "Shared-subscription group: every worker in it shares the telemetry load.",
  INGEST_CLIENT_ID: "MQTT client id of this worker: unique per worker and stable across its restarts (its persistent session).",
  INGEST_ENTERPRISE: "Only this enterprise's telemetry (its topic subtree); `+` for every enterprise on the broker.",
  INGEST_SESSION_EXPIRY_S: "MQTT 5 session expiry: how long the broker keeps a stopped worker's queue.",
  INGEST_RECEIVE_MAXIMUM: "MQTT 5 receive maximum: messages in flight to a worker (not yet durable). Bounds its memory.",
  INGEST_BATCH_ROWS: "A batch is written to QuestDB when it holds this many rows ...",
  INGEST_BATCH_BYTES: "... or about this many bytes (an upper estimate of the ILP request; one larger message goes alone) ...",
  INGEST_FLUSH_MS: "... or when its oldest row is this old (ms).",
  INGEST_MAX_HELD_BYTES: "The worker stops reading from the broker while the messages it holds (not yet durable) take about this many bytes.",
  INGEST_MAX_FUTURE_S: "Event timestamps more than this far in the future are dead-lettered.",
  INGEST_MAX_AGE_S: "Event timestamps older than this are dead-lettered.",
  INGEST_ASSET_REFRESH_S: "How often the worker reloads the machine list from PostgreSQL.",
  INGEST_METRICS_PORT: "Port of the worker's Prometheus `/metrics` (0: a free port).",
  INGEST_SPARKPLUG_GROUPS:
    "Sparkplug B groups this worker is the host application for (`spBv1.0/<group>/#`, not shared: run it on one ingest worker; docs/mqtt.md, Sparkplug B). Empty: none.",
  INGEST_SPARKPLUG_HOST_ID: "The Sparkplug host id: the worker's STATE message is `spBv1.0/STATE/<id>` (retained, with a will).",
  INGEST_UMH: "Also take the United Manufacturing Hub's data model (`umh/v1/...`: `_historian` tags, `_analytics` state and product messages; docs/mqtt.md).",
  SIM_SEED: "Seed of the plant simulator: the same seed gives the same plant behaviour.",
  SIM_INTERVAL_MS: "Simulator tick per machine (ms); each tick publishes state changes, counts and vibration.",
  SIM_WAVEFORM_EVERY: "Every Nth tick, machines with a waveform sensor send a snapshot (0: never).",
  SIM_DEGRADE: "Comma-separated machine paths (site/area/line/machine) whose bearing degrades to failure over hours.",
  SIM_DEMO_DEGRADE:
    "`andon up` only, when SIM_DEGRADE is empty: the demo's accelerated bearing degradation (`site/area/line/machine:hours`; its zone C alert comes about 8 minutes after the start). `none`: every machine healthy.",
  SIM_HISTORY_DAYS:
    "`andon up` only, on the first start (no history.json in ANDON_HOME): this many days of simulated history published before the live simulator starts (0: none).",
  SIM_HISTORY_STEP_S: "The history's simulator tick (s): state changes and counts this often, vibration every second tick.",
  SIM_HISTORY_DEGRADE: "A bearing that degrades in the history (`site/area/line/machine:hours` from its start; fails, then is replaced). `none`: none.",
  SIM_METRICS_PORT: "Port of the simulator's Prometheus `/metrics` (0: a free port).",
  SIM_SPARKPLUG_LINES:
    "Lines (`site/area/line`, enterprise optional, comma-separated) whose machines speak Sparkplug B instead of Andon's JSON: one edge node per line, one device per machine (docs/mqtt.md, Sparkplug B).",
  SIM_SPARKPLUG_GROUP: "The Sparkplug group of the simulated edge nodes (give it to the ingest worker's INGEST_SPARKPLUG_GROUPS).",
  SIM_OFFLINE:
    "Comma-separated machine paths (site/area/line/machine[:minutes]) whose command link is down for that long after start (default: until stopped), to try command queuing and expiry.",
  COMMAND_CLIENT_ID:
    "MQTT client id of the command service: stable across restarts, so the broker keeps answers that arrive while it is down (persistent session).",
  COMMAND_TICK_MS: "How often the command service checks expiries and timeouts (it also wakes at once when a command is queued).",
  COMMAND_ANSWER_GRACE_S:
    "How long after a sent command's expiry the service still waits for the machine's answer (in transit) before it calls the command expired.",
  QUEUE_PREFIX: "BullMQ key prefix, a Redis hash tag so each queue stays in one Redis Cluster slot.",
  OEE_METRICS_PORT: "Port of the OEE worker's Prometheus `/metrics`: how far each granularity's roll-up got (0: a free port).",
  OEE_JOB_LOCK_MS: "How long an OEE job's lock lasts without renewal; a job of a killed worker runs again after this.",
  WEB_PORT: "Port of the Next.js dashboard (127.0.0.1).",
  WEB_SHARE_MS:
    "How long (ms) the dashboard server shares one computed answer of the overview and plant-page APIs among everyone allowed to see it (0: compute every request). Changes made through this server show at once; others within this time.",
  TRUSTED_PROXIES:
    "Reverse proxies in front of the dashboard (comma-separated IP addresses or CIDR blocks). Only a request arriving from one of them has its `X-Forwarded-For` read for the client address (sign-in throttling, audit log); default none: the address of the TCP peer.",
  WEB_IO_TIMEOUT_MS:
    "How long the dashboard server waits for the broker (publishing an alert change) or Redis (queueing a recompute) before it answers without it; a change already saved is never answered with an error.",
  ANDON_TOPOLOGY:
    "`single`: one broker at MQTT_URL. `multi-site`: `andon up` runs a central broker and one factory broker per site, bridged, locked down (docs/deployment.md).",
  ANDON_BROKER:
    "The broker `andon up` runs (single topology; `--broker` on the command line): `mosquitto` (one that answers at MQTT_URL is used, else a local one is started) or `hivemq` (Andon's own HiveMQ CE at MQTT_URL, a loopback port where nothing answers yet; needs a JDK and Maven; docs/deployment.md).",
  BROKER_GATEWAY_ACCOUNTS: "Generated gateway accounts: one per `site` or one per `machine`, each limited to its own topic subtree.",
  BROKER_CLIENT_AUTH: "How clients of the generated brokers authenticate: `password` (hashed by the broker) or `certificate` (X.509, the CN is the user name).",
  BROKER_BIND_HOST: "Address the generated brokers listen on (`0.0.0.0` for other hosts).",
  BROKER_CENTRAL_HOST: "Host name or IP address by which factories and services reach the central broker (put in its TLS certificate).",
  BROKER_CENTRAL_PORT: "TLS port of the central broker (multi-site).",
  BROKER_SITE_PORTS_FROM: "TLS port of the first factory broker; the others follow in site order (multi-site).",
  BROKER_MAX_QUEUED_MESSAGES: "Messages a broker queues per disconnected persistent session: sizes how long a bridge or an ingest worker may be cut off.",
  SIM_SITES: "Comma-separated enterprise/site keys the simulator runs (empty: every site).",
};

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Reads `KEY=value` lines; used for `.env` (the user's) and `$ANDON_HOME/andon.env` (generated). */
export function readEnvFile(path: string): Record<string, string> {
  if (!existsSync(path)) return {};
  const out: Record<string, string> = {};
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const m = /^\s*([A-Z0-9_]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (m?.[1] && !line.trimStart().startsWith("#")) out[m[1]] = m[2]?.replace(/^"(.*)"$/, "$1") ?? "";
  }
  return out;
}

export function parseConfig(env: Record<string, string | undefined>): Config {
  const known = Object.fromEntries(
    Object.keys(schema.shape)
      .map((k) => [k, env[k] === "" ? undefined : env[k]])
      .filter(([, v]) => v !== undefined),
  );
  const result = schema.safeParse(known);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message} (got ${JSON.stringify(known[String(i.path[0])])})`);
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  return result.data;
}

let cached: Config | undefined;

/** The process configuration: process.env over `.env` over `$ANDON_HOME/andon.env`. Fails fast. */
export function config(): Config {
  if (cached) return cached;
  const home = process.env.ANDON_HOME || join(REPO_ROOT, ".andon");
  cached = parseConfig({ ...readEnvFile(join(home, "andon.env")), ...readEnvFile(join(REPO_ROOT, ".env")), ...process.env });
  return cached;
}

export const repoRoot = REPO_ROOT;
