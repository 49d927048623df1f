// The OEE roll-up queue's name and job payloads, shared by whoever queues a job (the reason editor,
// the loss-mapping admin, the schedulers) and the worker that runs it (lib/features/oee/jobs.ts).
import { z } from "zod";
import { GRANULARITIES } from "#lib/domain/oee/buckets.ts";

export const OEE_QUEUE = "oee";
/** Queue keys carry a hash tag ({andon}) so every key of a queue lands in one Redis Cluster slot. */
export const DEFAULT_PREFIX = "{andon}";

const granularity = z.enum(GRANULARITIES);

export const OeeJob = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("closed"), granularity }),
  z.object({ kind: z.literal("late") }),
  z.object({
    kind: z.literal("recompute"),
    /** Epoch ms intervals whose buckets (every granularity) are recomputed. */
    ranges: z.array(z.object({ from: z.number().int(), to: z.number().int() }).refine((r) => r.to > r.from, "to must be after from")).min(1),
    reason: z.string().max(200).optional(),
    /** Only this enterprise's machines (a loss-mapping change); absent: every machine. */
    enterprise: z.string().min(1).max(64).optional(),
  }),
]);
export type OeeJob = z.infer<typeof OeeJob>;

/**
 * A row of the OEE tables QuestDB refused for good (it can never take it as it is): the job wrote every
 * other row and completed; this one is dead-lettered (ingest_dead_letters, worker "oee") and logged.
 */
export type RefusedOeeRow = {
  /** oee_machine or oee_rollup */
  table: string;
  granularity: string;
  /** machine, line, site or enterprise */
  level: string;
  /** The machine's key (enterprise/site/area/line/machine) or the roll-up's path. */
  key: string;
  /** The bucket's start (ISO 8601) and label. */
  bucket: string;
  label: string;
  /** QuestDB's answer, or why the encoder could not encode the row. */
  reason: string;
};

/** What a job returns (BullMQ keeps it with the completed job; the worker logs it). */
export type OeeJobResult = {
  kind: string;
  runs: number;
  buckets: number;
  rows: number;
  touched?: number;
  computedUntil?: string;
  ms?: { load: number; compute: number; write: number };
  /** Machine buckets of hours, shifts and days summed from minute rows, and computed on the raw events (all minutes: raw). */
  sources?: { minutes: number; raw: number; why: Record<string, number> };
  /** Rows QuestDB refused for good: how many, and the first few (each is logged and dead-lettered). */
  refused?: { count: number; rows: RefusedOeeRow[] };
};
