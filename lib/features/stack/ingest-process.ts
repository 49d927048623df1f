// How the ingest worker's process is started, by `andon up` and by `andon bench ingest` alike (the bench
// measures what runs): bundled (./bundle.ts: no tsx loader in the process) and with a V8 heap sized to
// what the worker may hold. The old generation gets INGEST_MAX_HELD_BYTES plus 80 MiB for everything
// else (the idle worker's heap is ~25 MB); a small young generation (8 MiB semi-spaces) keeps the
// resident size down at no measured CPU cost (docs/benchmarks.md, issue 16).
import type { Config } from "#lib/platform/config.ts";

export function ingestProcess(cfg: Pick<Config, "INGEST_MAX_HELD_BYTES">): { bundled: boolean; nodeArgs: string[] } {
  const heldMiB = Math.ceil(cfg.INGEST_MAX_HELD_BYTES / 2 ** 20);
  return { bundled: true, nodeArgs: [`--max-old-space-size=${80 + heldMiB}`, "--max-semi-space-size=8"] };
}
