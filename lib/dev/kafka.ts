// Apache Kafka in KRaft mode for the forwarder's tests and benchmark: the pinned broker and its
// dependencies from Maven Central (scripts/kafka/pom.xml, fetched by `mvn dependency:copy-dependencies`
// into $ANDON_HOME/kafka/lib), `brokers` processes on loopback ports, each a combined broker and
// controller (process.roles=broker,controller) with a small heap, their logs in a temp folder.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, tcpOpen, waitFor } from "#lib/features/stack/net.ts";
import { type Managed, spawnManaged } from "#lib/features/stack/process.ts";
import { repoRoot } from "#lib/platform/config.ts";

/** The pinned broker: scripts/kafka/pom.xml names the same. */
export const KAFKA_VERSION = "4.4.0";
const POM = join(repoRoot, "scripts", "kafka", "pom.xml");

/** Fetches the broker's jars once per version (needs `mvn`). Returns the class path. */
export function ensureKafka(home: string): string {
  const lib = join(home, "kafka", "lib");
  const marker = join(lib, `.kafka-${KAFKA_VERSION}`);
  if (!existsSync(marker)) {
    rmSync(lib, { recursive: true, force: true });
    try {
      execFileSync("mvn", ["-q", "-B", "-f", POM, "dependency:copy-dependencies", `-DoutputDirectory=${lib}`], { stdio: "pipe" });
    } catch (e) {
      const out = `${(e as { stdout?: Buffer }).stdout ?? ""}${(e as { stderr?: Buffer }).stderr ?? ""}`.slice(-800);
      throw new Error(`cannot fetch org.apache.kafka:kafka_2.13:${KAFKA_VERSION} with Maven (is mvn installed and Maven Central reachable?): ${out}`);
    }
    writeFileSync(marker, "");
  }
  return join(lib, "*");
}

export interface KafkaBroker {
  id: number;
  port: number;
  /** 127.0.0.1:port */
  address: string;
  running(): boolean;
  /** SIGKILL: no controlled shutdown */
  kill(): Promise<void>;
  /** SIGTERM (controlled shutdown) */
  stop(): Promise<void>;
  /** starts it again with its data (after kill or stop) */
  start(): Promise<void>;
}

export interface KafkaCluster {
  brokers: KafkaBroker[];
  /** comma-separated host:port list, as KAFKA_BROKERS takes it */
  bootstrap: string;
  stop(): Promise<void>;
}

function serverProperties(o: { id: number; port: number; controllerPort: number; voters: string; dir: string; n: number }): string {
  const rf = Math.min(3, o.n);
  return `process.roles=broker,controller
node.id=${o.id}
controller.quorum.voters=${o.voters}
listeners=PLAINTEXT://127.0.0.1:${o.port},CONTROLLER://127.0.0.1:${o.controllerPort}
advertised.listeners=PLAINTEXT://127.0.0.1:${o.port}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=${join(o.dir, "data")}
num.partitions=3
default.replication.factor=${rf}
min.insync.replicas=${rf > 1 ? 2 : 1}
offsets.topic.replication.factor=${rf}
offsets.topic.num.partitions=3
transaction.state.log.replication.factor=${rf}
transaction.state.log.min.isr=${rf > 1 ? 2 : 1}
share.coordinator.state.topic.replication.factor=${rf}
share.coordinator.state.topic.min.isr=${rf > 1 ? 2 : 1}
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=2
background.threads=2
num.recovery.threads.per.data.dir=1
log.flush.interval.messages=9223372036854775807
auto.create.topics.enable=false
`;
}

/**
 * Starts a KRaft cluster of `n` combined broker+controller nodes on loopback (1 or 3 in the tests),
 * ready once every broker's log says it started and its port accepts connections.
 */
export async function startKafkaCluster(o: { n: number; home: string; heap?: string }): Promise<KafkaCluster> {
  const classPath = ensureKafka(o.home);
  const root = mkdtempSync(join(tmpdir(), "andon-kafka-"));
  // (passed as --cluster-id=ID: an id starting with "-" would read as an option)
  const clusterId = randomBytes(16).toString("base64url");
  const nodes: { id: number; port: number; controllerPort: number; dir: string }[] = [];
  for (let id = 1; id <= o.n; id++) nodes.push({ id, port: await freePort(), controllerPort: await freePort(), dir: join(root, `broker-${id}`) });
  const voters = nodes.map((b) => `${b.id}@127.0.0.1:${b.controllerPort}`).join(",");
  const java = (main: string, args: string[]) => [
    `-Xmx${o.heap ?? "256m"}`,
    "-Xms64m",
    "-XX:+UseSerialGC",
    "-XX:TieredStopAtLevel=1",
    // slf4j-simple: warnings, and the line that says a broker started
    "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
    "-Dorg.slf4j.simpleLogger.log.kafka.server.KafkaRaftServer=info",
    "-cp",
    classPath,
    main,
    ...args,
  ];
  for (const b of nodes) {
    mkdirSync(b.dir, { recursive: true });
    const props = join(b.dir, "server.properties");
    writeFileSync(props, serverProperties({ ...b, voters, n: o.n }));
    execFileSync("java", java("kafka.tools.StorageTool", ["format", `--cluster-id=${clusterId}`, "-c", props, "--ignore-formatted"]), { stdio: "pipe" });
  }
  const brokers: (KafkaBroker & { proc?: Managed })[] = nodes.map((b) => {
    const log = join(b.dir, "kafka.out");
    const broker: KafkaBroker & { proc?: Managed } = {
      id: b.id,
      port: b.port,
      address: `127.0.0.1:${b.port}`,
      running: () => broker.proc !== undefined && broker.proc.child.exitCode === null && broker.proc.child.signalCode === null,
      kill: async () => {
        await broker.proc?.kill();
      },
      stop: async () => {
        await broker.proc?.stop(30_000);
      },
      start: async () => {
        const startsBefore = existsSync(log) ? readFileSync(log, "utf8").split("Kafka Server started").length : 1;
        broker.proc = spawnManaged(`kafka-${b.id}`, "java", java("kafka.Kafka", [join(b.dir, "server.properties")]), { logFile: log });
        const proc = broker.proc;
        await waitFor(
          `Kafka broker ${b.id}`,
          async () => {
            if (proc.child.exitCode !== null) throw new Error(`Kafka broker ${b.id} exited at start; see ${log}`);
            const started = existsSync(log) && readFileSync(log, "utf8").split("Kafka Server started").length > startsBefore;
            return started && (await tcpOpen("127.0.0.1", b.port));
          },
          120_000,
          250,
        );
      },
    };
    return broker;
  });
  const stop = async () => {
    await Promise.all(brokers.map((b) => b.proc?.stop(20_000)));
    rmSync(root, { recursive: true, force: true });
  };
  try {
    // controllers wait for a quorum: all start together
    await Promise.all(brokers.map((b) => b.start()));
  } catch (e) {
    await stop();
    throw e;
  }
  return { brokers, bootstrap: brokers.map((b) => b.address).join(","), stop };
}
