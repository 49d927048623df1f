// Downtime reasons after the fact: assign a reason to part of a stop, or split a stop in two with a
// reason for each part. Every edit is checked against what the machine really did (only stop time
// can get a reason), stored with who made it, written to the audit log in the same transaction, and
// followed by a recompute of the OEE buckets it touches. Edits are never changed: a later one wins.

import type pg from "pg";
import { z } from "zod";
import type { PrismaClient } from "#lib/adapters/db/client.ts";
import { machineIdAt, saveReasonEdits } from "#lib/adapters/db/oee-reasons.ts";
import type { MachineInfo } from "#lib/adapters/db/plant.ts";
import { RefusedError } from "#lib/contract/errors.ts";
import { type MachinePath, machineKey, siteKey } from "#lib/contract/identity.ts";
import { DEFAULT_MAPPING } from "#lib/domain/oee/mapping.ts";
import { intervalProblem, producing } from "#lib/domain/oee/reason-rules.ts";
import { stateTimeline } from "#lib/domain/oee/timeline.ts";
import type { Interval } from "#lib/domain/oee/types.ts";
import { loadFleetEvents } from "./events.ts";
import { reachOfTouches } from "./reach.ts";

export interface Actor {
  /** A user name or API token name: who is recorded in the edit and the audit log. */
  name: string;
  /** Where the request came from (client address), when known. */
  origin?: string;
  /** Sites ("enterprise/site") the actor may change, or every site. */
  sites: "all" | readonly string[];
}

/** A refused edit (lib/contract/errors.ts); the API answers it with its code. */
export class ReasonEditError extends RefusedError {
  override name = "ReasonEditError";
}

const Reason = z.string().trim().min(1, "reason is empty").max(100, "reason is longer than 100 characters");
const Note = z.string().trim().max(500, "note is longer than 500 characters").optional();

export interface ReasonDeps {
  prisma: PrismaClient;
  pool: pg.Pool;
  machines: readonly MachineInfo[];
  /** Queues a recompute of the buckets [from, to) touches. */
  recompute: (ranges: { from: number; to: number }[], why: string) => Promise<void>;
  now?: () => number;
}

const iso = (ms: number) => new Date(ms).toISOString();

async function machineFor(deps: ReasonDeps, actor: Actor, path: MachinePath): Promise<{ m: MachineInfo; id: string }> {
  const key = machineKey(path);
  const m = deps.machines.find((x) => x.key === key);
  if (!m) throw new ReasonEditError("not_found", `no machine ${key}`);
  const site = siteKey(m.path);
  if (actor.sites !== "all" && !actor.sites.includes(site)) throw new ReasonEditError("forbidden", `${actor.name} may not change site ${site}`);
  const id = await machineIdAt(deps.prisma, m.path);
  if (!id) throw new ReasonEditError("not_found", `no machine ${key}`);
  return { m, id };
}

/** Throws unless every moment of [start, end) was a stop (anything but production). */
async function assertStopped(deps: ReasonDeps, m: MachineInfo, w: Interval): Promise<void> {
  const mapping = m.lossMapping ?? DEFAULT_MAPPING;
  const events = await loadFleetEvents(deps.pool, {
    range: w,
    boundaries: [],
    lookbackMs: Math.max(mapping.microStopThresholdS * 1000, 3_600_000),
    lookaheadMs: mapping.microStopThresholdS * 1000,
    parallelism: 1,
    only: m.path,
  });
  const ev = events.get(m.key);
  if (!ev || ev.states.length === 0) throw new ReasonEditError("invalid", `no state data for ${m.key} between ${iso(w.start)} and ${iso(w.end)}`);
  const timeline = stateTimeline({ window: w, idealCycleTimeS: m.idealCycleTimeS, plan: { kind: "window" }, mapping, states: ev.states, counts: [] });
  const running = producing(timeline);
  if (running) {
    throw new ReasonEditError(
      "invalid",
      `the machine was producing (${running.state ?? running.code}) from ${iso(running.start)} to ${iso(running.end)}; only stop time can get a downtime reason`,
    );
  }
}

function checkInterval(deps: ReasonDeps, start: number, end: number): void {
  const problem = intervalProblem(start, end, (deps.now ?? Date.now)());
  if (problem) throw new ReasonEditError("invalid", problem);
}

const field = <T>(schema: z.ZodType<T>, value: unknown, name: string): T => {
  const r = schema.safeParse(value);
  if (!r.success) throw new ReasonEditError("invalid", `${name}: ${r.error.issues[0]?.message ?? "invalid"}`);
  return r.data;
};

export interface AssignInput {
  machine: MachinePath;
  start: number;
  end: number;
  reason: string;
  note?: string;
}

/** Gives [start, end) of a stop the reason. Returns the edit's id. */
export async function assignReason(deps: ReasonDeps, actor: Actor, input: AssignInput): Promise<string> {
  const reason = field(Reason, input.reason, "reason");
  const note = field(Note, input.note, "note");
  checkInterval(deps, input.start, input.end);
  const { m, id: machineId } = await machineFor(deps, actor, input.machine);
  await assertStopped(deps, m, { start: input.start, end: input.end });
  const [id] = await saveReasonEdits(deps.prisma, {
    machineId,
    kind: "assign",
    createdBy: actor.name,
    note,
    edits: [{ start: input.start, end: input.end, reason }],
    audit: {
      actor: actor.name,
      origin: actor.origin,
      action: "downtime.reason.assign",
      subject: m.key,
      siteSlug: m.site,
      details: { start: iso(input.start), end: iso(input.end), reason, ...(note ? { note } : {}) },
    },
  });
  await recomputeAfterCommit(deps, m, input, `reason edit ${id}`);
  return id as string;
}

export interface SplitInput {
  machine: MachinePath;
  start: number;
  end: number;
  /** Where the stop is split. */
  at: number;
  reasons: [string, string];
  note?: string;
}

/** Splits [start, end) of a stop at `at`: the first part gets reasons[0], the second reasons[1]. */
export async function splitStop(deps: ReasonDeps, actor: Actor, input: SplitInput): Promise<[string, string]> {
  const first = field(Reason, input.reasons[0], "first reason");
  const second = field(Reason, input.reasons[1], "second reason");
  const note = field(Note, input.note, "note");
  checkInterval(deps, input.start, input.end);
  if (!(input.at > input.start && input.at < input.end)) throw new ReasonEditError("invalid", "the split point must lie inside the interval");
  const { m, id: machineId } = await machineFor(deps, actor, input.machine);
  await assertStopped(deps, m, { start: input.start, end: input.end });
  const [a, b] = await saveReasonEdits(deps.prisma, {
    machineId,
    kind: "split",
    createdBy: actor.name,
    note,
    edits: [
      { start: input.start, end: input.at, reason: first },
      { start: input.at, end: input.end, reason: second },
    ],
    audit: {
      actor: actor.name,
      origin: actor.origin,
      action: "downtime.reason.split",
      subject: m.key,
      siteSlug: m.site,
      details: { start: iso(input.start), at: iso(input.at), end: iso(input.end), reasons: [first, second], ...(note ? { note } : {}) },
    },
  });
  await recomputeAfterCommit(deps, m, input, `reason split ${a}`);
  return [a as string, b as string];
}

/**
 * Queues the recompute of a saved edit. A failure (Redis away, a timeout) is not the caller's: the
 * edit is saved, and the OEE worker's late scan recomputes every edit saved since its last scan
 * (lib/features/oee/jobs.ts), so the buckets follow within about a minute of Redis being back.
 */
async function recomputeAfterCommit(deps: ReasonDeps, m: MachineInfo, edit: Interval, why: string) {
  try {
    // up to the end of the edited stop and its restart: the minutes there change too
    const touch = { start: edit.start, end: edit.end, machine: m.path, kind: "edit" as const };
    const spans = await reachOfTouches(deps.pool, [m], [touch], (deps.now ?? Date.now)(), 1);
    await deps.recompute(
      spans.map((s) => ({ from: s.start, to: s.end })),
      why,
    );
  } catch (e) {
    console.warn(`${why}: saved; its recompute could not be queued now (${(e as Error)?.message}); the OEE worker's late scan picks it up`);
  }
}
