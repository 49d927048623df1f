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
/** Comma-separated `host:port` entries (a cluster's seed nodes), at least one. */
const nodeList = (what: string) =>
  commaList.refine((list) => list.length > 0 && list.every((e) => parseNode(e) !== undefined), { message: `comma-separated host:port ${what}` });
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
  REDIS_CLUSTER_NODES: nodeList("seed nodes of a Redis Cluster (e.g. 10.0.0.5:7001,10.0.0.6:7002)").optional(),

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
  INGEST_BATCH_ROWS: int(1, 1_000_000).default(10_000),
  INGEST_BATCH_BYTES: int(64 * 1024, 256 * 1024 * 1024).default(8 * 1024 * 1024),
  INGEST_MAX_HELD_BYTES: int(16 * 1024 * 1024, 16 * 1024 * 1024 * 1024).default(48 * 1024 * 1024),
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
  // set by `andon up` after it filled the demo's history: the simulator publishes from there to the clock first
  SIM_CONTINUE_FROM: z.union([z.literal(""), z.iso.datetime({ message: "an ISO 8601 UTC time, e.g. 2026-12-06T23:44:00Z (or empty)" })]).default(""),

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

  KAFKA_BROKERS: nodeList("bootstrap brokers of a Kafka cluster (e.g. 10.0.0.5:9092,10.0.0.6:9092)").optional(),
  KAFKA_TOPIC_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9._-]{0,200}$/, "letters, digits, '.', '_' and '-'")
    .default("andon."),
  KAFKA_CLIENT_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,100}$/, "letters, digits, '.', '_' and '-'")
    .default("andon-forwarder"),
  FORWARD_BATCH_ROWS: int(1, 100_000).default(5000),
  FORWARD_SETTLE_MS: int(0, 600_000).default(15_000),
  FORWARD_POLL_MS: int(10, 60_000).default(1000),
  FORWARD_METRICS_PORT: int(0, 65535).default(9468),

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
