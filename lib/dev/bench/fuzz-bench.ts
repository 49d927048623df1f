// andon bench fuzz (and test/integration/fuzz.test.ts): hostile payloads mixed with valid ones through
// a real broker into a real ingest worker process and QuestDB. Where each message must end up is known
// by construction (lib/dev/bench/fuzz-payloads.ts), not asked of the code under test; the run then looks
// for every message in QuestDB: valid ones in their telemetry table, hostile ones in the dead letters.
import { createHash, randomBytes } from "node:crypto";
import { join } from "node:path";
import mqtt from "mqtt";
import { readMetric } from "#lib/adapters/http/metrics-server.ts";
import { endMqttSession } from "#lib/adapters/mqtt/options.ts";
import { questPool, waitWalApplied } from "#lib/adapters/questdb/pg.ts";
import { TABLES } from "#lib/adapters/questdb/tables.ts";
import { type StackEnv, scratchPlant, seedPlantInto } from "#lib/dev/isolated-stack.ts";
import { freePort } from "#lib/features/stack/net.ts";
import { rssMb, spawnScript } from "#lib/features/stack/process.ts";
import { type FuzzMessage, fuzzMessages } from "./fuzz-payloads.ts";

export interface FuzzOptions {
  env: StackEnv;
  payloads: number;
  seed: number;
  say: (m: string) => void;
}

export interface FuzzResult {
  payloads: number;
  /** Times the worker process exited during the run. */
  crashes: number;
  /** Hostile messages found in the dead letters, with a reason. */
  deadLettered: number;
  /** Valid messages found in their telemetry table. */
  validStored: number;
  /** Messages found nowhere. */
  lost: number;
  /** Messages found in the wrong place: a hostile one stored, or a valid one dead-lettered. */
  misplaced: number;
  /** Dead letters of this run without a reason. */
  withoutReason: number;
  /** Messages the worker's guard caught (a bug made visible, not a crash). */
  internalErrors: number;
  families: Record<string, { n: number; bytes: number }>;
  workerRssMb: number;
  seconds: number;
}

const CHANNEL_TABLE: Record<string, string> = { state: TABLES.state, counts: TABLES.counts, vibration: TABLES.vibration, metrics: TABLES.metrics };

async function publishAll(url: string, msgs: FuzzMessage[], say: (m: string) => void): Promise<void> {
  const pub = await mqtt.connectAsync(url, { protocolVersion: 5, clientId: `fuzz-pub-${randomBytes(3).toString("hex")}`, clean: true, reconnectPeriod: 0 });
  try {
    let next = 0;
    let done = 0;
    let lastSaid = 0;
    await new Promise<void>((resolve, reject) => {
      let inflight = 0;
      const pump = () => {
        // a window of 500 messages, or 16 MiB, awaiting PUBACK
        while (next < msgs.length && inflight < 500) {
          const m = msgs[next++] as FuzzMessage;
          inflight++;
          pub.publish(m.topic, m.payload, { qos: 1 }, (err) => {
            if (err) return reject(new Error(`publishing ${m.family} to ${m.topic.slice(0, 100)}: ${err.message}`));
            inflight--;
            done++;
            if (done - lastSaid >= 2000) {
              lastSaid = done;
              say(`published ${done}/${msgs.length}`);
            }
            if (done === msgs.length) resolve();
            else pump();
          });
        }
      };
      pump();
    });
  } finally {
    await pub.endAsync();
  }
}

export async function runFuzz(o: FuzzOptions): Promise<FuzzResult> {
  const started = Date.now();
  const ent = `fz${randomBytes(3).toString("hex")}`;
  const plant = scratchPlant(ent, 3);
  await seedPlantInto(o.env.DATABASE_URL, plant);
  const site = plant.sites[0];
  const machines = (site?.areas ?? []).flatMap((a) => a.lines.flatMap((l) => l.machines.map((m) => `${ent}/${site?.slug}/${a.slug}/${l.slug}/${m.slug}`)));
  const now = Date.now();
  const msgs = fuzzMessages({ machines, t0Ms: now - 2 * 3_600_000, nowMs: now, maxFutureS: 300, maxAgeS: 30 * 86400 }, o.payloads, o.seed);
  const families: FuzzResult["families"] = {};
  for (const m of msgs) {
    const f = families[m.family] ?? { n: 0, bytes: 0 };
    families[m.family] = f;
    f.n++;
    f.bytes += m.payload.length;
  }
  const totalMb = msgs.reduce((s, m) => s + m.payload.length, 0) / 1048576;
  o.say(
    `${msgs.length} payloads (${totalMb.toFixed(1)} MiB, seed ${o.seed}): ${Object.entries(families)
      .map(([k, v]) => `${k} ${v.n}`)
      .join(", ")}`,
  );

  const metricsPort = await freePort();
  const logFile = join(o.env.ANDON_HOME, `fuzz-worker-${ent}.log`);
  const worker = spawnScript("ingest", "workers/ingest.ts", {
    env: {
      ...(o.env as unknown as Record<string, string>),
      LOG_LEVEL: "error",
      INGEST_ENTERPRISE: ent,
      INGEST_CLIENT_ID: `fuzz-${ent}`,
      INGEST_METRICS_PORT: String(metricsPort),
      INGEST_MAX_FUTURE_S: "300",
      INGEST_MAX_AGE_S: String(30 * 86400),
    },
    logFile,
  });
  let crashes = 0;
  worker.child.on("exit", () => crashes++);
  const pool = questPool(o.env.QUESTDB_PG_URL, o.env.QUESTDB_PG_PASSWORD, 2);
  let maxRss = 0;
  try {
    for (const until = Date.now() + 60_000; ; ) {
      if (crashes > 0) throw new Error(`the ingest worker exited at start; see ${logFile}`);
      if ((await readMetric(metricsPort, "andon_ingest_subscribed", 5000)) === 1) break;
      if (Date.now() > until) throw new Error(`the ingest worker did not subscribe within 60 s; see ${logFile}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const publishing = publishAll(o.env.MQTT_URL, msgs, o.say);
    // every message received and nothing pending, or the worker gone, or no progress for 60 s
    let received = 0;
    let lastProgress = Date.now();
    for (;;) {
      maxRss = Math.max(maxRss, rssMb(worker.child.pid ?? 0));
      if (crashes > 0) break;
      // NaN (not readable this time) is neither progress nor "nothing pending"
      const r = await readMetric(metricsPort, "andon_ingest_received_total", 5000);
      const pending = await readMetric(metricsPort, "andon_ingest_pending_messages", 5000);
      if (r > received) {
        lastProgress = Date.now();
        received = r;
      }
      if (received >= msgs.length && pending === 0) break;
      if (Date.now() - lastProgress > 60_000) {
        o.say(`no progress for 60 s at ${received}/${msgs.length} received, ${pending} pending`);
        break;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    await publishing.catch((e: Error) => o.say(`publisher: ${e.message}`));
    const internalErrors = crashes > 0 ? 0 : (await readMetric(metricsPort, 'andon_ingest_dead_lettered_total{kind="internal"}', 5000)) || 0;
    await waitWalApplied(pool, [...Object.values(CHANNEL_TABLE), TABLES.deadLetters]);

    // where did each message end up?
    const dead = new Map<string, string>();
    const { rows: dl } = await pool.query<{ topic: string; sha: string; reason: string }>(
      `SELECT topic, payload_sha256 sha, reason FROM ${TABLES.deadLetters} WHERE topic LIKE $1`,
      [`${ent}/%`],
    );
    for (const d of dl) dead.set(`${d.topic}\n${d.sha}`, d.reason ?? "");
    const stored = new Map<string, Set<string>>();
    for (const [channel, table] of Object.entries(CHANNEL_TABLE)) {
      const { rows } = await pool.query<{ k: string }>(`SELECT concat(machine, '/', cast(ts AS LONG)) k FROM ${table} WHERE enterprise = $1`, [ent]);
      stored.set(channel, new Set(rows.map((r) => r.k)));
    }
    let deadLettered = 0;
    let validStored = 0;
    let lost = 0;
    let misplaced = 0;
    let withoutReason = 0;
    for (const [i, m] of msgs.entries()) {
      const key = `${m.topic.slice(0, 1024)}\n${createHash("sha256").update(m.payload).digest("hex")}`;
      const parts = m.topic.split("/");
      const channel = parts[5] ?? "";
      const isStored = stored.get(channel)?.has(`${parts[4]}/${(now - 2 * 3_600_000 + i) * 1000}`) ?? false;
      const reason = dead.get(key);
      if (m.expect === "stored" && isStored) validStored++;
      else if (m.expect === "dead-letter" && reason !== undefined && !isStored) {
        deadLettered++;
        if (reason.trim() === "") withoutReason++;
      } else if (isStored || reason !== undefined) misplaced++;
      else lost++;
    }
    return {
      payloads: msgs.length,
      crashes,
      deadLettered,
      validStored,
      lost,
      misplaced,
      withoutReason,
      internalErrors,
      families,
      workerRssMb: maxRss,
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    await pool.end();
    await worker.stop();
    // the worker's persistent session is of no further use
    await endMqttSession(o.env.MQTT_URL, `fuzz-${ent}`);
  }
}

export function fuzzLine(r: FuzzResult): string {
  return `fuzz payloads=${r.payloads} crashes=${r.crashes} dead_lettered=${r.deadLettered} valid_stored=${r.validStored} lost=${r.lost} misplaced=${r.misplaced} internal=${r.internalErrors}`;
}
