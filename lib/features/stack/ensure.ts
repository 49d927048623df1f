// `andon up`: use the configured services; where a default local one is not answering and its
// binary is installed, start a local one (owned by this process); otherwise stop with what to install.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { appendFileSync, chmodSync, existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { questPing, redactUrl } from "#lib/adapters/questdb/http.ts";
import { type Config, parseNode } from "#lib/platform/config.ts";
import { startHiveMq } from "./hivemq.ts";
import { startMosquitto, startRedis } from "./local-servers.ts";
import { hostPort, tcpOpen, waitFor } from "./net.ts";
import { type PortUse, portProblems } from "./ports.ts";
import type { Managed } from "./process.ts";
import { ensureQuestDbJar, HTTP_USER, startQuestDb } from "./questdb.ts";

export class ServiceError extends Error {
  override name = "ServiceError";
}

const isLoopback = (host: string) => ["127.0.0.1", "localhost", "::1"].includes(host);
const which = (bin: string) => {
  if (bin.includes("/")) return existsSync(bin) ? bin : undefined;
  try {
    return execFileSync("which", [bin], { encoding: "utf8" }).trim() || undefined; // no shell
  } catch {
    return undefined;
  }
};

export interface StartedServices {
  owned: { name: string; stop(): Promise<void> }[];
  /** Settings generated on this start (e.g. QUESTDB_PG_PASSWORD), already saved to $ANDON_HOME/andon.env. */
  generated: Record<string, string>;
}

async function postgresAnswers(url: string): Promise<boolean> {
  const u = new URL(url);
  u.pathname = "/postgres";
  const c = new pg.Client({ connectionString: u.toString(), connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    return true;
  } catch (e) {
    // Reachable but refusing us (auth) is not "down": report it as it is.
    const msg = (e as Error).message;
    if (/password|auth|role/i.test(msg)) throw new ServiceError(`PostgreSQL at ${u.host} refused the connection: ${msg} (check DATABASE_URL)`);
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

export interface EnsureOptions {
  /** false: leave the broker at MQTT_URL alone (the multi-site topology runs its own brokers). */
  mqtt?: boolean;
  /** The broker to run at MQTT_URL (default mosquitto; ANDON_BROKER). */
  broker?: Config["ANDON_BROKER"];
  /** The other ports the caller will listen on (dashboard, worker metrics, brokers): checked with the services' own. */
  listens?: readonly PortUse[];
}

/**
 * Uses the configured services, starting a local Redis, Mosquitto or QuestDB where none answers. Before
 * anything starts, every port that will be listened on (the services to start and `opts.listens`) is
 * checked: one in use stops with a ServiceError naming its setting. A service that answers is reused
 * and its port is not checked.
 */
export async function ensureServices(cfg: Config, say: (m: string) => void, opts: EnsureOptions = {}): Promise<StartedServices> {
  const owned: StartedServices["owned"] = [];
  try {
    return await ensureAll(cfg, say, owned, opts.mqtt === false ? undefined : (opts.broker ?? "mosquitto"), opts.listens ?? []);
  } catch (e) {
    // leave nothing running that this call started
    for (const s of [...owned].reverse()) await s.stop().catch(() => undefined);
    throw e;
  }
}

interface LocalService {
  name: string;
  setting: "REDIS_URL" | "MQTT_URL";
  host: string;
  port: number;
  /** something answers there: it is used, not started */
  up: boolean;
  bin: string;
  pkg: string;
  start: (port: number) => Promise<Managed>;
}

async function localService(
  name: string,
  setting: LocalService["setting"],
  url: string,
  defPort: number,
  bin: string,
  pkg: string,
  start: LocalService["start"],
): Promise<LocalService> {
  const { host, port } = hostPort(url, defPort);
  const up = await tcpOpen(host, port);
  if (!up && !isLoopback(host)) throw new ServiceError(`${name} is not answering at ${host}:${port} (${setting}): check that it runs and is reachable.`);
  if (!up && !which(bin)) {
    throw new ServiceError(
      `${name} is not answering at ${host}:${port} and is not installed here. Install it (Debian: apt-get install ${pkg}) or point ${setting} at yours.`,
    );
  }
  return { name, setting, host, port, up, bin, pkg, start };
}

/**
 * Andon's own HiveMQ CE at MQTT_URL: never one that answers there already (that is another broker, and
 * the user asked for HiveMQ), on loopback only (its TCP listener has no accounts in the single topology).
 */
async function hiveMqService(url: string, home: string): Promise<LocalService> {
  const { host, port } = hostPort(url, 1883);
  if (!isLoopback(host)) throw new ServiceError(`--broker hivemq runs HiveMQ CE on this machine: MQTT_URL must name a loopback address, not ${host}.`);
  if (await tcpOpen(host, port)) {
    throw new ServiceError(
      `a broker already answers at ${host}:${port} (MQTT_URL), and --broker hivemq starts Andon's own HiveMQ CE there: stop that broker, or give HiveMQ a free port, e.g. MQTT_URL=mqtt://127.0.0.1:1884 npm start -- --broker hivemq`,
    );
  }
  for (const bin of ["java", "javac", "mvn"]) {
    if (!which(bin)) throw new ServiceError(`HiveMQ CE needs ${bin} (a JDK and Maven): install them (Debian: apt-get install openjdk-17-jdk-headless maven).`);
  }
  const start = (p: number) => startHiveMq({ dir: join(home, "hivemq-broker"), port: p, bindHost: host, home });
  return { name: "HiveMQ CE", setting: "MQTT_URL", host, port, up: false, bin: "java", pkg: "openjdk-17-jdk-headless", start };
}

/** The first seed node of the cluster that answers; a ServiceError naming REDIS_CLUSTER_NODES when none does. */
async function clusterSeedAnswering(nodes: readonly string[]): Promise<string> {
  for (const n of nodes) {
    const node = parseNode(n);
    if (node && (await tcpOpen(node.host, node.port))) return `${n} (seed of ${nodes.length})`;
  }
  throw new ServiceError(`No seed node of the Redis Cluster answers (REDIS_CLUSTER_NODES=${nodes.join(",")}): check that it runs and is reachable.`);
}

async function ensureAll(
  cfg: Config,
  say: (m: string) => void,
  owned: StartedServices["owned"],
  broker: Config["ANDON_BROKER"] | undefined,
  listens: readonly PortUse[],
): Promise<StartedServices> {
  const generated: Record<string, string> = {};
  const home = cfg.ANDON_HOME;
  mkdirSync(home, { recursive: true });

  // What answers already is used; what does not is started below, on ports checked first.
  // A Redis Cluster (REDIS_CLUSTER_NODES) is always the user's own: used if a seed node answers, never started.
  const locals = cfg.REDIS_CLUSTER_NODES
    ? []
    : [await localService("Redis", "REDIS_URL", cfg.REDIS_URL, 6379, "redis-server", "redis-server", (port) => startRedis(join(home, "redis"), port))];
  if (cfg.REDIS_CLUSTER_NODES) say(`Redis       cluster ${await clusterSeedAnswering(cfg.REDIS_CLUSTER_NODES)}`);
  if (broker === "hivemq") locals.push(await hiveMqService(cfg.MQTT_URL, home));
  else if (broker === "mosquitto") {
    locals.push(
      await localService("Mosquitto", "MQTT_URL", cfg.MQTT_URL, 1883, "mosquitto", "mosquitto", (port) => startMosquitto(join(home, "mosquitto"), port)),
    );
  }
  const questUp = await questPing(cfg.QUESTDB_HTTP_URL);
  const http = hostPort(cfg.QUESTDB_HTTP_URL, 9000);
  const pgw = hostPort(cfg.QUESTDB_PG_URL, 8812);
  const httpCred = new URL(cfg.QUESTDB_HTTP_URL);
  if (!questUp) {
    if (!isLoopback(http.host)) throw new ServiceError(`QuestDB is not answering at ${redactUrl(cfg.QUESTDB_HTTP_URL)} (QUESTDB_HTTP_URL).`);
    if (!which(cfg.QUESTDB_JAVA_HOME ? join(cfg.QUESTDB_JAVA_HOME, "bin", "java") : "java")) {
      throw new ServiceError("QuestDB needs Java 17 or later: install it (Debian: apt-get install openjdk-17-jre-headless) or set QUESTDB_JAVA_HOME.");
    }
    if (!httpCred.password && (await tcpOpen(http.host, http.port))) {
      throw new ServiceError(
        `something answers on ${http.host}:${http.port} but not as QuestDB without credentials: put its HTTP user and password in QUESTDB_HTTP_URL (http://user:password@host:port).`,
      );
    }
  }
  const binds: PortUse[] = locals
    .filter((l) => !l.up)
    .map((l): PortUse => ({ setting: l.setting, port: l.port, host: l.host, inUrl: true, what: l.name }))
    .concat(
      questUp
        ? []
        : [
            { setting: "QUESTDB_HTTP_URL", port: http.port, host: http.host, inUrl: true, what: "QuestDB's HTTP server" },
            { setting: "QUESTDB_PG_URL", port: pgw.port, inUrl: true, what: "QuestDB's PostgreSQL wire" },
            { setting: "QUESTDB_ILP_PORT", port: cfg.QUESTDB_ILP_PORT, what: "QuestDB's ILP listener" },
            { setting: "QUESTDB_HEALTH_PORT", port: cfg.QUESTDB_HEALTH_PORT, what: "QuestDB's health check" },
          ],
      listens,
    );
  const problems = await portProblems(binds);
  if (problems.length) throw new ServiceError(problems.join("\n"));

  // PostgreSQL: start the machine's own cluster (Debian's pg_ctlcluster) when it is installed but down.
  const pgHost = hostPort(cfg.DATABASE_URL, 5432);
  if (!(await postgresAnswers(cfg.DATABASE_URL))) {
    const ctl = which("pg_ctlcluster");
    if (!isLoopback(pgHost.host) || !ctl || !existsSync("/etc/postgresql")) {
      throw new ServiceError(
        `PostgreSQL is not answering at ${pgHost.host}:${pgHost.port}. Install it (Debian: apt-get install postgresql) or set DATABASE_URL.`,
      );
    }
    for (const version of readdirSync("/etc/postgresql")) {
      say(`starting PostgreSQL ${version} (pg_ctlcluster) ...`);
      try {
        execFileSync(ctl, ["--skip-systemctl-redirect", version, "main", "start"], { stdio: "inherit" });
      } catch {
        // already running or another cluster: the check below decides
      }
    }
    await waitFor("PostgreSQL", () => postgresAnswers(cfg.DATABASE_URL), 30_000);
  }
  say(`PostgreSQL  ${pgHost.host}:${pgHost.port}`);

  for (const l of locals) {
    if (l.up) {
      say(`${l.name.padEnd(11)} ${l.host}:${l.port}`);
      if (l.bin === "mosquitto") {
        say("            (an existing broker: for loss-free ingest it must queue enough for a stopped worker; see README, 'Using your own broker')");
      }
      continue;
    }
    say(`starting ${l.name} on ${l.host}:${l.port} (data in ${home}) ...`);
    owned.push(await l.start(l.port));
    say(`${l.name.padEnd(11)} ${l.host}:${l.port} (started by Andon)`);
  }

  // QuestDB: not packaged anywhere we can install from; Andon runs the pinned jar from Maven Central.
  if (questUp) {
    say(`QuestDB     ${redactUrl(cfg.QUESTDB_HTTP_URL)}`);
    if (!cfg.QUESTDB_PG_PASSWORD) say("warning: QUESTDB_PG_PASSWORD is not set; queries over PG wire will fail unless your QuestDB needs none");
  } else {
    const jar = await ensureQuestDbJar(home, cfg.QUESTDB_VERSION, say);
    // HTTP basic auth: the user and password in QUESTDB_HTTP_URL, or generated once (never a default)
    if (!httpCred.password) {
      httpCred.username = HTTP_USER;
      httpCred.password = randomBytes(18).toString("base64url");
      const url = httpCred.toString().replace(/\/$/, "");
      appendFileSync(join(home, "andon.env"), `QUESTDB_HTTP_URL=${url}\n`, { mode: 0o600 });
      chmodSync(join(home, "andon.env"), 0o600);
      generated.QUESTDB_HTTP_URL = url;
      // this process (its config is read already) and the processes it starts use the generated URL
      process.env.QUESTDB_HTTP_URL = url;
      cfg.QUESTDB_HTTP_URL = url;
    }
    let password = cfg.QUESTDB_PG_PASSWORD;
    if (!password) {
      password = randomBytes(18).toString("base64url");
      appendFileSync(join(home, "andon.env"), `QUESTDB_PG_PASSWORD=${password}\n`, { mode: 0o600 });
      chmodSync(join(home, "andon.env"), 0o600);
      generated.QUESTDB_PG_PASSWORD = password;
    }
    say(`starting QuestDB ${cfg.QUESTDB_VERSION} on ${http.host}:${http.port} (data in ${join(home, "questdb", "root")}) ...`);
    const q = await startQuestDb({
      jar,
      root: join(home, "questdb", "root"),
      ports: { http: http.port, pg: pgw.port, ilp: cfg.QUESTDB_ILP_PORT, health: cfg.QUESTDB_HEALTH_PORT },
      pgPassword: password,
      httpUser: decodeURIComponent(httpCred.username),
      httpPassword: decodeURIComponent(httpCred.password),
      heap: "2g",
      ...(cfg.QUESTDB_JAVA_HOME ? { javaHome: cfg.QUESTDB_JAVA_HOME } : {}),
    });
    owned.push({ name: "questdb", stop: q.stop });
    say(`QuestDB     ${redactUrl(q.httpUrl)} (started by Andon)`);
  }
  return { owned, generated };
}
