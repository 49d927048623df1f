import { parseArgs } from "node:util";
import { benchIngest } from "../../lib/bench/ingest-bench.ts";

const usage = () =>
  Object.assign(new Error("usage: andon bench ingest [--messages N] [--window W] [--receive-max R] [--batch-rows B] [--profile DIR]"), { name: "UsageError" });

export async function run(argv: string[]): Promise<void> {
  const [what, ...rest] = argv;
  if (what !== "ingest") {
    if (what === "oee") throw Object.assign(new Error("`andon bench oee` is not built yet (OEE engine issue)"), { name: "UsageError" });
    throw usage();
  }
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
  const int = (v: string | undefined, def: number, name: string) => {
    const n = v === undefined ? def : Number(v);
    if (!Number.isInteger(n) || n <= 0) throw Object.assign(new Error(`--${name} must be a positive integer`), { name: "UsageError" });
    return n;
  };
  const window = int(values.window, 10_000, "window");
  if (window >= 65_535) throw Object.assign(new Error("--window must stay below 65535 (MQTT packet ids)"), { name: "UsageError" });
  const r = await benchIngest({
    messages: int(values.messages, 200_000, "messages"),
    window,
    receiveMaximum: int(values["receive-max"], 20_000, "receive-max"),
    batchRows: int(values["batch-rows"], 5000, "batch-rows"),
    ...(values.profile ? { profileDir: values.profile } : {}),
    say: (m) => console.log(`[bench] ${m}`),
  });
  console.log(`[bench] ${r.messages} messages; pipeline p50 ${r.p50Ms.toFixed(0)} ms publish-to-queryable`);
  console.log(
    `ingest ratio=${r.ratio.toFixed(2)} pipeline=${r.pipelinePerS.toFixed(0)}/s baseline=${r.baselinePerS.toFixed(0)}/s lost=${r.lost} duplicated=${r.duplicated} rss_mb=${r.rssMb.toFixed(0)} p99_ms=${r.p99Ms.toFixed(0)}`,
  );
}
