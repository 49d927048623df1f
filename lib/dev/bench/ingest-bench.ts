// andon bench ingest: in one run, against the same broker and the same publisher load, measure
// (a) a baseline subscriber that only counts messages and (b) the full pipeline into QuestDB.
import { createInterface } from "node:readline";
import mqtt, { type MqttClient } from "mqtt";
import { questPool } from "#lib/adapters/questdb/pg.ts";
import { TABLES } from "#lib/adapters/questdb/tables.ts";
import { scratchPlant, seedPlantInto, startStack } from "#lib/dev/isolated-stack.ts";
import { ingestProcess } from "#lib/features/stack/ingest-process.ts";
import { freePort, waitFor } from "#lib/features/stack/net.ts";
import { cpuSeconds, type Managed, rssMb, spawnScript } from "#lib/features/stack/process.ts";
import { config } from "#lib/platform/config.ts";

export interface IngestBenchOptions {
  messages: number;
  /** QoS 1 messages the publisher keeps awaiting PUBACK (below 65,535: packet ids wrap). */
  window: number;
  receiveMaximum: number;
  batchRows: number;
  /** Write V8 CPU profiles of the baseline and the worker here. */
  profileDir?: string;
  say: (m: string) => void;
}

export interface IngestBenchResult {
  messages: number;
  baselinePerS: number;
  pipelinePerS: number;
  ratio: number;
  lost: number;
  duplicated: number;
  rssMb: number;
  /** The worker's peak V8 heap used and reserved, and external memory (MiB), sampled once a second. */
  heapMb: { used: number; total: number; external: number };
  /** CPU seconds (user + system) per 100,000 messages: the worker's from first publish to all rows queryable, the baseline subscriber's. */
  workerCpuPer100k: number;
  baselineCpuPer100k: number;
  /** The pipeline phase's other processes, CPU seconds per 100,000 messages over the same interval as the worker's. */
  pipelineCpuPer100k: { questdb: number; broker: number; publisher: number };
  /** The same for the baseline phase's broker and publisher. */
  baselineOthersCpuPer100k: { broker: number; publisher: number };
  p50Ms: number;
  p99Ms: number;
}

interface Msg {
  topic: string;
  payload: string;
}

/** A realistic mix: per machine, counts and vibration alternately, each with a unique device timestamp. */
function workload(machines: string[], n: number, t0Ms: number): Msg[] {
  const out: Msg[] = [];
  for (let i = 0; i < n; i++) {
    const m = machines[i % machines.length];
    const ts = new Date(t0Ms + Math.floor(i / machines.length)).toISOString().replace("Z", `${String(i % 1000).padStart(3, "0")}Z`);
    out.push(
      i % 2 === 0
        ? { topic: `${m}/counts`, payload: `{"v":1,"ts":"${ts}","mode":"delta","total":${1 + (i % 3)},"reject":${i % 50 === 0 ? 1 : 0}}` }
        : {
            topic: `${m}/vibration`,
            payload: `{"v":1,"ts":"${ts}","sensor":"de","velocity_rms_mm_s":${(1 + (i % 97) / 100).toFixed(2)},"kurtosis":3.1,"temperature_c":45.2}`,
          },
    );
  }
  return out;
}

/** Publishes at QoS 1 with a bounded in-flight window; returns the publish time of every message. */
async function publishAll(client: MqttClient, msgs: Msg[], window: number): Promise<Float64Array> {
  const sentAt = new Float64Array(msgs.length);
  let next = 0;
  let inflight = 0;
  await new Promise<void>((resolve, reject) => {
    let done = 0;
    const pump = () => {
      while (inflight < window && next < msgs.length) {
        const i = next++;
        const m = msgs[i] as Msg;
        inflight++;
        sentAt[i] = Date.now();
        client.publish(m.topic, m.payload, { qos: 1 }, (err) => {
          if (err) return reject(err);
          inflight--;
          if (++done === msgs.length) resolve();
          else pump();
        });
      }
    };
    pump();
  });
  return sentAt;
}

function nodeChild(name: string, script: string, env: Record<string, string>, profileDir?: string): Managed {
  // the ingest worker as `andon up` starts it
  const how = name === "ingest" ? ingestProcess(config()) : { bundled: false, nodeArgs: [] };
  return spawnScript(name, script, {
    env: { LOG_LEVEL: "warn", ...env },
    bundled: how.bundled,
    nodeArgs: [...how.nodeArgs, ...(profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [])],
    stdio: ["ignore", "pipe", "inherit"],
  });
}

export async function benchIngest(o: IngestBenchOptions): Promise<IngestBenchResult> {
  o.say("starting isolated Mosquitto, QuestDB and a scratch PostgreSQL database ...");
  const stack = await startStack();
  try {
    const ent = "bench";
    const plant = scratchPlant(ent, 10);
    await seedPlantInto(stack.env.DATABASE_URL, plant);
    const site = plant.sites[0];
    const machines = (site?.areas ?? []).flatMap((a) => a.lines.flatMap((l) => l.machines.map((m) => `${ent}/${site?.slug}/${a.slug}/${l.slug}/${m.slug}`)));
    // the publisher runs in this process (with the bench's pollers: an upper bound of the publisher's share)
    const others = () => ({ questdb: cpuSeconds(stack.pids.questdb ?? 0), broker: cpuSeconds(stack.pids.broker ?? 0), publisher: cpuSeconds(process.pid) });
    const pub = await mqtt.connectAsync(stack.env.MQTT_URL, { protocolVersion: 5, clientId: "bench-publisher", clean: true });

    // (a) baseline
    o.say(`baseline: ${o.messages} messages to a subscriber that only counts ...`);
    const counter = nodeChild(
      "baseline",
      "lib/dev/bench/count-subscriber.ts",
      {
        MQTT_URL: stack.env.MQTT_URL,
        COUNT: String(o.messages),
        ENTERPRISE: ent,
        RECEIVE_MAXIMUM: String(o.receiveMaximum),
      },
      o.profileDir,
    );
    const lines = createInterface({ input: counter.child.stdout! });
    const next = () => new Promise<string>((r) => lines.once("line", r));
    if ((await next()) !== "ready") throw new Error("baseline subscriber did not start");
    const baseMsgs = workload(machines, o.messages, Date.now() - 7_200_000);
    const baseStart = Date.now();
    const baseOthersStart = others();
    const doneLine = next();
    await publishAll(pub, baseMsgs, o.window);
    const [, baseEndText, baseCpuText] = (await doneLine).split(" ");
    const baseEnd = Number(baseEndText);
    const baselineCpuPer100k = (Number(baseCpuText) / o.messages) * 100_000;
    const baseOthersEnd = others();
    const baselineBrokerCpuPer100k = ((baseOthersEnd.broker - baseOthersStart.broker) / o.messages) * 100_000;
    const baselinePublisherCpuPer100k = ((baseOthersEnd.publisher - baseOthersStart.publisher) / o.messages) * 100_000;
    await counter.stop();
    const baselinePerS = o.messages / ((baseEnd - baseStart) / 1000);
    o.say(`baseline: ${baselinePerS.toFixed(0)} msg/s`);

    // (b) the full pipeline: a real ingest worker process into QuestDB
    o.say(`pipeline: the same ${o.messages} messages through an ingest worker into QuestDB ...`);
    const metricsPort = await freePort();
    const worker = nodeChild(
      "ingest",
      "workers/ingest.ts",
      {
        ...(stack.env as unknown as Record<string, string>),
        INGEST_CLIENT_ID: "bench-ingest-0",
        INGEST_METRICS_PORT: String(metricsPort),
        INGEST_RECEIVE_MAXIMUM: String(o.receiveMaximum),
        INGEST_BATCH_ROWS: String(o.batchRows),
        INGEST_FLUSH_MS: "50",
      },
      o.profileDir,
    );
    const pool = questPool(stack.env.QUESTDB_PG_URL, stack.env.QUESTDB_PG_PASSWORD, 2);
    try {
      const rows = async () => {
        let n = 0;
        for (const t of [TABLES.counts, TABLES.vibration]) {
          const { rows: r } = await pool.query<{ n: string }>(`SELECT count() n FROM ${t} WHERE enterprise = $1`, [ent]);
          n += Number(r[0]?.n ?? 0);
        }
        return n;
      };
      await waitFor(
        "ingest worker subscribed",
        // subscribed, not only connected: what is published before the SUBACK is not queued for a new session
        () =>
          fetch(`http://127.0.0.1:${metricsPort}/metrics`)
            .then((r) => r.text())
            .then(
              (m) => /^andon_ingest_subscribed 1$/m.test(m),
              () => false,
            ),
        120_000,
      );
      await new Promise((r) => setTimeout(r, 500));
      const msgs = workload(machines, o.messages, Date.now() - 3_600_000);
      const start = Date.now();
      const cpuStart = cpuSeconds(worker.child.pid ?? 0);
      const othersStart = others();
      let maxRss = 0;
      const timeline: [number, number][] = [];
      let sentAt: Float64Array | undefined;
      const publishing = publishAll(pub, msgs, o.window).then((s) => {
        sentAt = s;
      });
      let seen = 0;
      // the worker's own view of its memory, once a second: peak V8 heap used and reserved
      const heap = { used: 0, total: 0, external: 0 };
      let polls = 0;
      const stopAt = Date.now() + Math.max(120_000, o.messages / 5);
      while (seen < o.messages && Date.now() < stopAt) {
        seen = await rows();
        timeline.push([Date.now(), seen]);
        maxRss = Math.max(maxRss, rssMb(worker.child.pid ?? 0));
        if (polls++ % 10 === 0) {
          const h = await fetch(`http://127.0.0.1:${metricsPort}/health`)
            .then((r) => r.json() as Promise<{ memoryMb?: { heapUsed: number; heapTotal: number; external: number } }>)
            .catch(() => ({ memoryMb: undefined }));
          heap.used = Math.max(heap.used, h.memoryMb?.heapUsed ?? 0);
          heap.total = Math.max(heap.total, h.memoryMb?.heapTotal ?? 0);
          heap.external = Math.max(heap.external, h.memoryMb?.external ?? 0);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      const end = timeline.at(-1)?.[0] ?? Date.now();
      const workerCpuPer100k = ((cpuSeconds(worker.child.pid ?? 0) - cpuStart) / o.messages) * 100_000;
      const othersEnd = others();
      const per100k = (k: keyof typeof othersEnd) => ((othersEnd[k] - othersStart[k]) / o.messages) * 100_000;
      const pipelineCpuPer100k = { questdb: per100k("questdb"), broker: per100k("broker"), publisher: per100k("publisher") };
      await publishing;
      await new Promise((r) => setTimeout(r, 1000));
      const final = await rows();
      // Publish-to-queryable: message i became queryable at the first poll whose count exceeded i
      // (messages are published in order; resolution is the 100 ms poll interval, kept coarse so the poller does not load QuestDB).
      const lat: number[] = [];
      let k = 0;
      for (let i = 0; i < o.messages && sentAt; i++) {
        while (k < timeline.length && (timeline[k]?.[1] ?? 0) <= i) k++;
        if (k < timeline.length) lat.push((timeline[k]?.[0] ?? 0) - (sentAt[i] ?? 0));
      }
      lat.sort((a, b) => a - b);
      const pct = (p: number) => lat[Math.min(lat.length - 1, Math.floor((lat.length * p) / 100))] ?? Number.NaN;
      const pipelinePerS = seen >= o.messages ? o.messages / ((end - start) / 1000) : 0;
      await worker.stop();
      await pub.endAsync();
      return {
        messages: o.messages,
        baselinePerS,
        pipelinePerS,
        ratio: pipelinePerS / baselinePerS,
        lost: Math.max(0, o.messages - final),
        duplicated: Math.max(0, final - o.messages),
        rssMb: maxRss,
        heapMb: heap,
        workerCpuPer100k,
        baselineCpuPer100k,
        pipelineCpuPer100k,
        baselineOthersCpuPer100k: { broker: baselineBrokerCpuPer100k, publisher: baselinePublisherCpuPer100k },
        p50Ms: pct(50),
        p99Ms: pct(99),
      };
    } finally {
      await worker.kill();
      await pool.end();
    }
  } finally {
    await stack.stop();
  }
}
