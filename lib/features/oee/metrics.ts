// The OEE worker's Prometheus metrics: how far each granularity's scheduled roll-up got (read from
// the cursor at scrape time, so it is the deployment's figure, whichever worker ran the jobs) and
// what the jobs did.
import { Counter, Gauge, Registry } from "prom-client";
import type { OeeJobResult } from "#lib/contract/jobs/oee.ts";

export interface OeeMetrics {
  registry: Registry;
  /** a finished job: its kind, buckets and rows */
  jobDone(r: OeeJobResult): void;
  jobFailed(kind: string): void;
}

export function oeeMetrics(cursors: () => Promise<{ granularity: string; computedUntil: Date }[]>, now: () => number = Date.now): OeeMetrics {
  const registry = new Registry();
  const read = async () => {
    try {
      return await cursors();
    } catch {
      return undefined; // PostgreSQL away: the gauges keep their last values
    }
  };
  new Gauge({
    name: "andon_oee_computed_until_seconds",
    help: "Every bucket of this granularity that closed before this instant (Unix s) was computed",
    labelNames: ["granularity"],
    registers: [registry],
    async collect() {
      for (const c of (await read()) ?? []) this.set({ granularity: c.granularity }, c.computedUntil.getTime() / 1000);
    },
  });
  new Gauge({
    name: "andon_oee_behind_seconds",
    help: "How far the scheduled roll-up of this granularity is behind the clock (catching up after downtime when large)",
    labelNames: ["granularity"],
    registers: [registry],
    async collect() {
      for (const c of (await read()) ?? []) this.set({ granularity: c.granularity }, Math.max(0, (now() - c.computedUntil.getTime()) / 1000));
    },
  });
  const jobs = new Counter({ name: "andon_oee_jobs_total", help: "OEE jobs finished", labelNames: ["kind", "result"], registers: [registry] });
  const buckets = new Counter({
    name: "andon_oee_buckets_total",
    help: "Buckets computed (all machines of a bucket count once)",
    labelNames: ["kind"],
    registers: [registry],
  });
  const rows = new Counter({
    name: "andon_oee_rows_written_total",
    help: "OEE rows written to QuestDB (machine and roll-up)",
    labelNames: ["kind"],
    registers: [registry],
  });
  const refused = new Counter({
    name: "andon_oee_rows_refused_total",
    help: "OEE rows QuestDB refused for good: dead-lettered (ingest_dead_letters, worker oee), the job's other rows written",
    labelNames: ["kind"],
    registers: [registry],
  });
  return {
    registry,
    jobDone(r) {
      jobs.inc({ kind: r.kind, result: "ok" });
      buckets.inc({ kind: r.kind }, r.buckets);
      rows.inc({ kind: r.kind }, r.rows);
      if (r.refused) refused.inc({ kind: r.kind }, r.refused.count);
    },
    jobFailed(kind) {
      jobs.inc({ kind, result: "failed" });
    },
  };
}
