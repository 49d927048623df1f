import { parseArgs } from "node:util";
import { benchDashboard } from "#lib/dev/bench/dashboard-bench.ts";
import { benchForward } from "#lib/dev/bench/forward-bench.ts";
import { fuzzLine, runFuzz } from "#lib/dev/bench/fuzz-bench.ts";
import { benchIngest } from "#lib/dev/bench/ingest-bench.ts";
import { benchOee } from "#lib/dev/bench/oee-bench.ts";
import { benchPdm } from "#lib/dev/bench/pdm-bench.ts";
import { startStack } from "#lib/dev/isolated-stack.ts";
import { config } from "#lib/platform/config.ts";

const usage = () =>
  Object.assign(
    new Error(
      "usage: andon bench ingest [--messages N] [--window W] [--receive-max R] [--batch-rows B] [--profile DIR]\n       andon bench oee [--machines N] [--hours H] [--parallelism P] [--verify V]\n       andon bench dashboard [--clients C] [--requests N] [--profile DIR]\n       andon bench pdm [--snapshots N] [--samples 4096]\n       andon bench fuzz [--payloads N] [--seed S]\n       andon bench forward [--records N] [--batch-rows B]",
    ),
    { name: "UsageError" },
  );

const int = (v: string | undefined, def: number, name: string) => {
  const n = v === undefined ? def : Number(v);
  if (!Number.isInteger(n) || n <= 0) throw Object.assign(new Error(`--${name} must be a positive integer`), { name: "UsageError" });
  return n;
};

async function runFuzzBench(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { payloads: { type: "string" }, seed: { type: "string" } } });
  const say = (m: string) => console.log(`[bench] ${m}`);
  say("starting isolated Mosquitto, Redis, QuestDB and a scratch PostgreSQL database ...");
  const stack = await startStack();
  try {
    const r = await runFuzz({ env: stack.env, payloads: int(values.payloads, 10_000, "payloads"), seed: int(values.seed, 1, "seed"), say });
    say(`${r.seconds.toFixed(0)} s; worker RSS at most ${r.workerRssMb.toFixed(0)} MB; dead letters without a reason: ${r.withoutReason}`);
    say(
      `by family: ${Object.entries(r.families)
        .map(([k, v]) => `${k} ${v.n} (${(v.bytes / 1048576).toFixed(1)} MiB)`)
        .join(", ")}`,
    );
    console.log(fuzzLine(r));
    if (r.crashes + r.lost + r.misplaced + r.withoutReason > 0) process.exitCode = 1;
  } finally {
    await stack.stop();
  }
}

async function runDashboard(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { clients: { type: "string" }, requests: { type: "string" }, profile: { type: "string" } } });
  const r = await benchDashboard({
    sites: 10,
    machinesPerSite: 50,
    days: 90,
    clients: int(values.clients, 20, "clients"),
    requests: int(values.requests, 1000, "requests"),
    ...(values.profile ? { profileDir: values.profile } : {}),
    say: (m) => console.log(`[bench] ${m}`),
  });
  const f = (l: { n: number; p50: number; p95: number; p99: number; errors: number }) =>
    `n=${l.n} p50 ${l.p50.toFixed(0)} ms, p95 ${l.p95.toFixed(0)} ms, p99 ${l.p99.toFixed(0)} ms, errors ${l.errors}`;
  console.log(`[bench] WEB_SHARE_MS=0: overview API:   ${f(r.unshared.overview)}`);
  console.log(`[bench] WEB_SHARE_MS=0: plant-page API: ${f(r.unshared.plant)}`);
  console.log(`[bench] WEB_SHARE_MS=0: all:            ${f(r.unshared.all)}`);
  const cpu = (c: { server: number; questdb: number; clients: number; machine: number }) =>
    `server ${c.server.toFixed(1)} ms, QuestDB ${c.questdb.toFixed(1)} ms, the bench's clients ${c.clients.toFixed(1)} ms, whole machine ${c.machine.toFixed(1)} ms`;
  console.log(`[bench] CPU per request: WEB_SHARE_MS=0: ${cpu(r.unshared.cpuMsPerRequest)}`);
  console.log(`[bench] CPU per request: default: ${cpu(r.cpuMsPerRequest)}`);
  console.log(`[bench] CPU per request: baseline /api/health: ${cpu(r.baselineCpuMsPerRequest)}`);
  console.log(
    `[bench] largest answers: overview ${(r.bytes.overview / 1024).toFixed(0)} KiB, plant page ${(r.bytes.plant / 1024).toFixed(0)} KiB (JSON; sent gzipped)`,
  );
  console.log(`[bench] overview API:   ${f(r.overview)}`);
  console.log(`[bench] plant-page API: ${f(r.plant)}`);
  console.log(`[bench] baseline /api/health: ${f(r.baseline)}; ratio (p95 / baseline p95) ${r.ratio.toFixed(1)}`);
  if (r.all.errors + r.unshared.all.errors > 0) throw new Error(`${r.all.errors + r.unshared.all.errors} requests failed; see .andon/bench-web.log`);
  // one line per mode (every request computed; answers shared, the default), then the default's alone
  console.log(`dashboard unshared WEB_SHARE_MS=0 p50_ms=${r.unshared.all.p50.toFixed(0)} p95_ms=${r.unshared.all.p95.toFixed(0)}`);
  console.log(`dashboard shared WEB_SHARE_MS=${r.shareMs} p50_ms=${r.all.p50.toFixed(0)} p95_ms=${r.all.p95.toFixed(0)}`);
  console.log(`dashboard p50_ms=${r.all.p50.toFixed(0)} p95_ms=${r.all.p95.toFixed(0)}`);
}

async function runOee(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { machines: { type: "string" }, hours: { type: "string" }, parallelism: { type: "string" }, verify: { type: "string" } },
  });
  const hours = int(values.hours, 8, "hours");
  if (hours > 16) throw Object.assign(new Error("--hours must be at most 16 (one shift from 06:00)"), { name: "UsageError" });
  const machines = int(values.machines, 1000, "machines");
  const r = await benchOee({
    machines,
    hours,
    parallelism: int(values.parallelism, 2, "parallelism"),
    verify: int(values.verify, 10, "verify"),
    say: (m) => console.log(`[bench] ${m}`),
  });
  const sorted = [...r.minutes.scheduledRunMs].sort((a, b) => a - b);
  console.log(
    `[bench] minute buckets (paid as data arrives): the whole shift in ${r.minutes.seconds.toFixed(1)} s (${r.minutes.pieces} catch-up pieces); one scheduled minute run (last ${r.minutes.scheduledMinutes} min, every minute) ${sorted[Math.floor(sorted.length / 2)]?.toFixed(0)} ms`,
  );
  console.log(
    `[bench] shift roll-up from minute rows ${r.seconds.toFixed(2)} s (load ${r.ms.load.toFixed(0)} ms, compute ${r.ms.compute.toFixed(0)} ms, write ${r.ms.write.toFixed(0)} ms); on the raw events ${r.raw.seconds.toFixed(2)} s (load ${r.raw.ms.load.toFixed(0)} ms, compute ${r.raw.ms.compute.toFixed(0)} ms); baseline scan of the raw rows ${r.baselineSeconds.toFixed(2)} s; ratio ${r.ratio.toFixed(2)}; equal to the raw events: ${r.equalToRaw} machines; equal to the core on all raw rows: ${r.verified}`,
  );
  console.log(`oee machines=${machines} hours=${hours} seconds=${r.seconds.toFixed(2)}`);
}

async function runPdm(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { snapshots: { type: "string" }, samples: { type: "string" } } });
  const samples = int(values.samples, 4096, "samples");
  if (samples < 64 || 2 ** Math.floor(Math.log2(samples)) !== samples)
    throw Object.assign(new Error("--samples must be a power of two, at least 64"), { name: "UsageError" });
  const r = await benchPdm({ snapshots: int(values.snapshots, 10000, "snapshots"), samples, say: (m) => console.log(`[bench] ${m}`) });
  console.log(
    `[bench] pipeline ${r.snapshotsPerS.toFixed(0)} snapshots/s (${r.msPerSnapshot.toFixed(3)} ms each), bare FFT ${r.fftPerS.toFixed(0)}/s: ratio ${r.ratio.toFixed(2)}; by CPU time ${r.snapshotsPerCpuS.toFixed(0)} snapshots/s, ${r.fftPerCpuS.toFixed(0)} FFTs/s: ratio ${(r.fftPerCpuS / r.snapshotsPerCpuS).toFixed(2)}; alerts opened ${r.alertsOpened}`,
  );
  console.log(
    `[bench] old-style baseline (FFT fed number[], own worker thread, one block after the rounds): ${r.oldStyleFftPerS.toFixed(0)}/s (${r.oldStyleFftPerCpuS.toFixed(0)} per CPU-second); ratio against it ${(r.oldStyleFftPerS / r.snapshotsPerS).toFixed(2)} (by CPU time ${(r.oldStyleFftPerCpuS / r.snapshotsPerCpuS).toFixed(2)})`,
  );
  console.log(
    `[bench] one core keeps up with ${Math.floor(r.snapshotsPerS * 10)} machines sending a snapshot every 10 s (${Math.floor(r.snapshotsPerCpuS * 10)} by CPU time)`,
  );
  console.log(`pdm snapshots_per_s=${r.snapshotsPerS.toFixed(0)} fft_per_s=${r.fftPerS.toFixed(0)} ratio=${r.ratio.toFixed(2)}`);
}

async function runForward(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { records: { type: "string" }, "batch-rows": { type: "string" } } });
  const r = await benchForward({
    records: int(values.records, 200_000, "records"),
    batchRows: int(values["batch-rows"], 5000, "batch-rows"),
    say: (m) => console.log(`[bench] ${m}`),
  });
  console.log(
    `forward records=${r.records} forwarded=${r.forwardedPerS.toFixed(0)}/s producer_alone=${r.producerPerS.toFixed(0)}/s ratio=${r.ratio.toFixed(2)} bytes_per_record=${r.bytesPerRecord.toFixed(0)}`,
  );
}

export async function run(argv: string[]): Promise<void> {
  const [what, ...rest] = argv;
  if (what === "forward") return runForward(rest);
  if (what === "pdm") return runPdm(rest);
  if (what === "oee") return runOee(rest);
  if (what === "dashboard") return runDashboard(rest);
  if (what === "fuzz") return runFuzzBench(rest);
  if (what !== "ingest") throw usage();
  const { values } = parseArgs({
    args: rest,
    options: {
      messages: { type: "string" },
      window: { type: "string" },
      "receive-max": { type: "string" },
      "batch-rows": { type: "string" },
      profile: { type: "string" },
    },
  });
  const window = int(values.window, 10_000, "window");
  if (window >= 65_535) throw Object.assign(new Error("--window must stay below 65535 (MQTT packet ids)"), { name: "UsageError" });
  const r = await benchIngest({
    messages: int(values.messages, 200_000, "messages"),
    window,
    // the worker's own defaults (lib/platform/config.ts)
    receiveMaximum: int(values["receive-max"], config().INGEST_RECEIVE_MAXIMUM, "receive-max"),
    batchRows: int(values["batch-rows"], config().INGEST_BATCH_ROWS, "batch-rows"),
    ...(values.profile ? { profileDir: values.profile } : {}),
    say: (m) => console.log(`[bench] ${m}`),
  });
  console.log(`[bench] ${r.messages} messages; pipeline p50 ${r.p50Ms.toFixed(0)} ms publish-to-queryable`);
  console.log(
    `[bench] CPU seconds per 100k messages: worker ${r.workerCpuPer100k.toFixed(2)} (first publish to all rows queryable), baseline subscriber ${r.baselineCpuPer100k.toFixed(2)}`,
  );
  const c = r.pipelineCpuPer100k;
  const b = r.baselineOthersCpuPer100k;
  console.log(
    `[bench] the other processes, CPU seconds per 100k messages: pipeline phase QuestDB ${c.questdb.toFixed(2)}, broker ${c.broker.toFixed(2)}, publisher and bench ${c.publisher.toFixed(2)}; baseline phase broker ${b.broker.toFixed(2)}, publisher and bench ${b.publisher.toFixed(2)}`,
  );
  console.log(
    `[bench] worker peak heap: ${r.heapMb.used} MB used, ${r.heapMb.total} MB reserved, ${r.heapMb.external} MB external (rss ${r.rssMb.toFixed(0)} MB)`,
  );
  console.log(
    `ingest ratio=${r.ratio.toFixed(2)} pipeline=${r.pipelinePerS.toFixed(0)}/s baseline=${r.baselinePerS.toFixed(0)}/s lost=${r.lost} duplicated=${r.duplicated} rss_mb=${r.rssMb.toFixed(0)} p99_ms=${r.p99Ms.toFixed(0)}`,
  );
}
