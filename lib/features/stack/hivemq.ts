// HiveMQ Community Edition run by Andon itself, beside Mosquitto: the embedded broker
// (com.hivemq:hivemq-community-edition-embedded from Maven Central, fetched by Maven into
// $ANDON_HOME/hivemq/lib) and Andon's launcher and access extension (scripts/hivemq, compiled with
// javac into $ANDON_HOME/hivemq/classes), started with its own configuration folder and port. With a
// Mosquitto password file and ACL (generated from the asset model), the extension enforces them.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { MQTT_MAX_PACKET_BYTES } from "#lib/contract/limits.ts";
import { repoRoot } from "#lib/platform/config.ts";
import { tcpOpen, waitFor } from "./net.ts";
import { type Managed, spawnManaged } from "./process.ts";

/** The pinned broker: scripts/hivemq/pom.xml names the same. */
export const HIVEMQ_VERSION = "2025.5";
const SOURCES = join(repoRoot, "scripts", "hivemq");

function sourceFiles(): string[] {
  const dir = join(SOURCES, "src", "main", "java", "andon", "hivemq");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".java"))
    .sort()
    .map((f) => join(dir, f));
}

/**
 * Fetches the broker's jars (Maven, once per version) and compiles the launcher when its sources
 * changed. Returns the class path. Needs `mvn` and a JDK (`javac`), both on the reference machines.
 */
export function ensureHiveMq(home: string, log: (m: string) => void = () => undefined): string {
  const dir = join(home, "hivemq");
  const lib = join(dir, "lib");
  const marker = join(lib, `.hivemq-${HIVEMQ_VERSION}`);
  if (!existsSync(marker)) {
    log(`fetching HiveMQ CE ${HIVEMQ_VERSION} (embedded) from Maven Central ...`);
    rmSync(lib, { recursive: true, force: true });
    try {
      execFileSync("mvn", ["-q", "-B", "-f", join(SOURCES, "pom.xml"), "dependency:copy-dependencies", `-DoutputDirectory=${lib}`], { stdio: "pipe" });
    } catch (e) {
      const out = `${(e as { stdout?: Buffer }).stdout ?? ""}${(e as { stderr?: Buffer }).stderr ?? ""}`.slice(-800);
      throw new Error(
        `cannot fetch com.hivemq:hivemq-community-edition-embedded:${HIVEMQ_VERSION} with Maven (is mvn installed and Maven Central reachable?): ${out}`,
      );
    }
    writeFileSync(marker, "");
  }
  const classes = join(dir, "classes");
  const sources = sourceFiles();
  const digest = createHash("sha256");
  for (const f of sources) digest.update(readFileSync(f));
  const stamp = join(classes, `.sources-${digest.digest("hex").slice(0, 16)}`);
  if (!existsSync(stamp)) {
    rmSync(classes, { recursive: true, force: true });
    mkdirSync(classes, { recursive: true });
    execFileSync("javac", ["-nowarn", "-cp", join(lib, "*"), "-d", classes, ...sources], { stdio: "pipe" });
    writeFileSync(stamp, "");
  }
  return `${classes}:${join(lib, "*")}`;
}

export interface HiveMqOptions {
  /** its configuration and data live here */
  dir: string;
  port: number;
  /** default 127.0.0.1 */
  bindHost?: string;
  /** Mosquitto-format account files to enforce (no anonymous access); without them, anonymous clients are let in */
  access?: { passwd: string; acl: string };
  /** queued messages per client session (default 2,000,000, as Andon's Mosquitto) */
  maxQueuedMessages?: number;
  heap?: string;
  home: string;
}

/** HiveMQ's config.xml: one TCP listener, queues sized for loss-free QoS 1 ingest, no usage statistics. */
export function hiveMqConfig(o: Pick<HiveMqOptions, "port" | "bindHost" | "maxQueuedMessages">): string {
  return `<?xml version="1.0"?>
<hivemq>
  <listeners>
    <tcp-listener><port>${o.port}</port><bind-address>${o.bindHost ?? "127.0.0.1"}</bind-address></tcp-listener>
  </listeners>
  <mqtt>
    <queued-messages><max-queue-size>${o.maxQueuedMessages ?? 2_000_000}</max-queue-size><strategy>discard</strategy></queued-messages>
    <session-expiry><max-interval>1209600</max-interval></session-expiry>
    <receive-maximum><server-receive-maximum>65535</server-receive-maximum></receive-maximum>
    <packets><max-packet-size>${MQTT_MAX_PACKET_BYTES + 65_536}</max-packet-size></packets>
  </mqtt>
  <anonymous-usage-statistics><enabled>false</enabled></anonymous-usage-statistics>
</hivemq>
`;
}

export async function startHiveMq(o: HiveMqOptions): Promise<Managed> {
  const classPath = ensureHiveMq(o.home);
  const conf = join(o.dir, "conf");
  mkdirSync(join(conf, "extensions"), { recursive: true });
  mkdirSync(join(o.dir, "data"), { recursive: true });
  writeFileSync(join(conf, "config.xml"), hiveMqConfig(o));
  const log = join(o.dir, "hivemq.out");
  const proc = spawnManaged(
    "hivemq",
    "java",
    [`-Xmx${o.heap ?? "512m"}`, "-cp", classPath, "andon.hivemq.AndonHiveMQ", conf, join(o.dir, "data"), ...(o.access ? [o.access.passwd, o.access.acl] : [])],
    { logFile: log },
  );
  let exited = false;
  proc.child.once("exit", () => {
    exited = true;
  });
  await waitFor(
    "HiveMQ",
    async () => {
      if (exited) throw new Error(`HiveMQ exited at start; see ${log}`);
      return existsSync(log) && readFileSync(log, "utf8").includes("andon-hivemq: started") && (await tcpOpen(o.bindHost ?? "127.0.0.1", o.port));
    },
    120_000,
  );
  return proc;
}
