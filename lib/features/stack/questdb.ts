// QuestDB run by Andon itself: a pinned `org.questdb:questdb` jar from Maven Central, fetched into
// $ANDON_HOME/questdb (git-ignored), started with its own root (data) directory and ports.
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { questPing } from "#lib/adapters/questdb/http.ts";
import { waitFor } from "./net.ts";
import { type Managed, spawnManaged } from "./process.ts";

const MAVEN = "https://repo.maven.apache.org/maven2";
/** The HTTP user of a QuestDB Andon runs itself. */
export const HTTP_USER = "andon";

/** Downloads questdb-VERSION.jar once and checks it against Maven Central's SHA-1. Returns its path. */
export async function ensureQuestDbJar(home: string, version: string, log: (m: string) => void = () => undefined): Promise<string> {
  const dir = join(home, "questdb");
  const jar = join(dir, `questdb-${version}.jar`);
  if (existsSync(jar)) return jar;
  mkdirSync(dir, { recursive: true });
  const base = `${MAVEN}/org/questdb/questdb/${version}/questdb-${version}.jar`;
  log(`fetching QuestDB ${version} from Maven Central ...`);
  const [jarRes, shaRes] = await Promise.all([fetch(base), fetch(`${base}.sha1`)]);
  if (!jarRes.ok || !shaRes.ok) {
    throw new Error(
      `cannot fetch org.questdb:questdb:${version} from Maven Central (HTTP ${jarRes.status}/${shaRes.status}); check QUESTDB_VERSION and network access to Maven Central`,
    );
  }
  const bytes = Buffer.from(await jarRes.arrayBuffer());
  const expected = (await shaRes.text()).trim().slice(0, 40);
  const actual = createHash("sha1").update(bytes).digest("hex");
  if (actual !== expected) throw new Error(`QuestDB jar checksum mismatch: got ${actual}, Maven Central says ${expected}`);
  writeFileSync(`${jar}.part`, bytes);
  renameSync(`${jar}.part`, jar);
  log(`QuestDB ${version} saved to ${jar}`);
  return jar;
}

export interface QuestDbInstance {
  /** with the HTTP user and password as userinfo (http://andon:secret@127.0.0.1:9000): what QUESTDB_HTTP_URL holds */
  httpUrl: string;
  /** conf/server.conf (mode 0600: it holds both passwords) */
  confFile: string;
  pgUrl: string;
  pgPassword: string;
  ports: { http: number; pg: number; ilp: number; health: number };
  process: Managed;
  stop(): Promise<void>;
  /** Starts a stopped instance again: same data directory, ports and password. */
  restart(): Promise<QuestDbInstance>;
}

export interface QuestDbStartOptions {
  jar: string;
  root: string;
  ports: { http: number; pg: number; ilp: number; health: number };
  pgPassword: string;
  /** HTTP basic auth for /exec and ILP over HTTP; generated, never a default */
  httpPassword: string;
  /** default HTTP_USER */
  httpUser?: string;
  javaHome?: string;
  heap?: string;
  logFile?: string;
}

export async function startQuestDb(o: QuestDbStartOptions): Promise<QuestDbInstance> {
  mkdirSync(join(o.root, "conf"), { recursive: true });
  // Loopback only; the PG-wire and HTTP passwords are Andon's own random ones, never QuestDB's default.
  // Readable by this user only: written 0600, and set to 0600 also when the file existed before.
  const confFile = join(o.root, "conf", "server.conf");
  writeFileSync(
    confFile,
    [
      `http.bind.to=127.0.0.1:${o.ports.http}`,
      `http.min.net.bind.to=127.0.0.1:${o.ports.health}`,
      `pg.net.bind.to=127.0.0.1:${o.ports.pg}`,
      `line.tcp.net.bind.to=127.0.0.1:${o.ports.ilp}`,
      "line.udp.enabled=false",
      "pg.user=admin",
      `pg.password=${o.pgPassword}`,
      "pg.readonly.user.enabled=false",
      // HTTP basic auth on /exec, ILP over HTTP and the web console (QuestDB open source)
      `http.user=${o.httpUser ?? HTTP_USER}`,
      `http.password=${o.httpPassword}`,
      "telemetry.enabled=false",
      "http.frozen.clock=false",
      "shared.worker.count=2",
      // the shared workers sleep after 100 idle cycles instead of QuestDB's default 10,000: on a small
      // machine shared with the dashboard, spinning between queries took CPU from the server (the
      // dashboard's queries from 20 clients: about 1.0 → 0.7 ms of QuestDB CPU each, docs/benchmarks.md)
      "shared.worker.sleep.threshold=100",
      "",
    ].join("\n"),
    { mode: 0o600 },
  );
  chmodSync(confFile, 0o600);
  const java = o.javaHome ? join(o.javaHome, "bin", "java") : "java";
  const proc = spawnManaged(
    "questdb",
    java,
    [
      `-Xmx${o.heap ?? "1g"}`,
      "-XX:+UseParallelGC",
      "--add-exports",
      "java.base/jdk.internal.math=io.questdb",
      "-Dout=/dev/null",
      "-p",
      o.jar,
      "-m",
      "io.questdb/io.questdb.ServerMain",
      "-d",
      o.root,
    ],
    { logFile: o.logFile ?? join(o.root, "questdb.out"), env: { ...process.env, TZ: "UTC" } },
  );
  const httpUrl = `http://${encodeURIComponent(o.httpUser ?? HTTP_USER)}:${encodeURIComponent(o.httpPassword)}@127.0.0.1:${o.ports.http}`;
  let exited = false;
  proc.child.once("exit", () => {
    exited = true;
  });
  await waitFor("QuestDB", async () => {
    if (exited) throw new Error(`QuestDB exited at start; see ${o.logFile ?? join(o.root, "questdb.out")}`);
    // with the credentials: an answer proves this instance took its server.conf
    return questPing(httpUrl);
  });
  return {
    httpUrl,
    confFile,
    pgUrl: `postgresql://admin@127.0.0.1:${o.ports.pg}/qdb`,
    pgPassword: o.pgPassword,
    ports: o.ports,
    process: proc,
    stop: () => proc.stop(20_000),
    restart: () => startQuestDb(o),
  };
}
