// The JSON-lines input of `andon oee compute` (docs/oee.md): one object per line, parsed and checked
// here, turned into the OEE core's input. Errors name the line.
import { z } from "zod";
import type { LossMapping, OeeInput } from "#lib/domain/oee/types.ts";
import { eventTimestamp, hhmm, ianaTimeZone, lossCategory as loss } from "./common.ts";

/** A window longer than this is refused: the calendar is walked day by day. */
const WINDOW_MAX_DAYS = 3660;

// epoch ms; the contract's range (1970-01-01 to 2200-01-01, lib/contract/timestamp.ts) keeps every
// instant within what a Date holds
const instant = eventTimestamp.transform((us) => us / 1000);

export const LossMappingSchema = z.object({
  name: z.string().min(1),
  version: z.number().int().positive(),
  microStopThresholdS: z.number().min(0),
  startupWindowS: z.number().min(0).optional(),
  rules: z.array(
    z.object({ state: z.string().optional(), code: z.number().int().optional(), category: z.number().int().optional(), reason: z.string().optional(), loss }),
  ),
});

const Line = z.discriminatedUnion("type", [
  z.object({ type: z.literal("machine"), idealCycleTimeS: z.number().positive() }),
  z.object({ type: z.literal("window"), start: instant, end: instant }),
  z.object({
    type: z.literal("calendar"),
    timeZone: ianaTimeZone,
    shifts: z.array(
      z.object({
        name: z.string().min(1),
        weekdays: z.array(z.number().int().min(1).max(7)).min(1),
        start: hhmm,
        end: hhmm,
        breaks: z
          .array(z.object({ name: z.string().optional(), startOffsetMin: z.number().int().min(0), durationMin: z.number().int().positive() }))
          .default([]),
      }),
    ),
  }),
  z.object({ type: z.literal("planned"), plannedTimeS: z.number().min(0) }),
  z.object({ type: z.literal("state"), ts: instant, state: z.string().optional(), code: z.number().int().min(0).optional(), reason: z.string().optional() }),
  z.object({
    type: z.literal("counts"),
    ts: instant,
    mode: z.enum(["cumulative", "delta"]),
    total: z.number().int().min(0),
    reject: z.number().int().min(0).default(0),
    counter_max: z.number().int().positive().optional(),
  }),
  z.object({ type: z.literal("reason"), start: instant, end: instant, reason: z.string().min(1) }),
  LossMappingSchema.extend({ type: z.literal("mapping") }),
]);

export class OeeInputError extends Error {
  override name = "OeeInputError";
}

/** An issue message from the schema, cut (a message may quote the input). */
const issueText = (x: z.core.$ZodIssue) => `${x.path.join(".") || "type"}: ${x.message.length > 200 ? `${x.message.slice(0, 199)}…` : x.message}`;

/** Minutes from a shift's start to its end on a normal day ("22:00"-"06:00" is 480; an end equal to the start is a whole day). */
function shiftMinutes(start: string, end: string): number {
  const m = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));
  const d = m(end) - m(start);
  return d > 0 ? d : d + 24 * 60;
}

/**
 * `mapping` is used unless the file has a mapping line; `forced` (from --config) beats both.
 *
 * An input that contradicts itself is refused with the line and the field, never computed into
 * something impossible: a second machine, window, plan or mapping line; an explicit planned time
 * longer than the window (it would be a negative planned stop); a window or reason edit that ends
 * before it starts; a break that ends after its shift; delta counts with more rejects than parts; a
 * cumulative sample above its own counter_max; timestamps outside 1970-01-01 to 2200-01-01. Events before
 * and after the window are input, not contradictions: the last state and counter sample before it
 * and the states after it (a stop's whole length) are used, the rest ignored (docs/oee.md).
 */
export function parseOeeInput(text: string, fallback: LossMapping, forced?: LossMapping): OeeInput {
  let mapping = fallback;
  let idealCycleTimeS: number | undefined;
  let window: OeeInput["window"] | undefined;
  let plan = { kind: "window" } as OeeInput["plan"];
  let plannedLine = 0;
  /** the line that set each of the things a file may give once */
  const once = new Map<string, number>();
  const input: Pick<OeeInput, "states" | "counts" | "reasonEdits"> = { states: [], counts: [], reasonEdits: [] };
  for (const [i, raw] of text.split("\n").entries()) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const refuse: (m: string) => never = (m) => {
      throw new OeeInputError(`line ${i + 1}: ${m}`);
    };
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (e) {
      refuse(`invalid JSON: ${(e as Error).message.slice(0, 200)}`);
    }
    const r = Line.safeParse(json);
    if (!r.success) {
      const shown = r.error.issues.slice(0, 3).map(issueText);
      refuse(`${shown.join("; ")}${r.error.issues.length > 3 ? `; and ${r.error.issues.length - 3} more` : ""}`);
    }
    const v = r.data;
    const what = v.type === "calendar" || v.type === "planned" ? "plan" : v.type;
    if (what === "machine" || what === "window" || what === "plan" || what === "mapping") {
      const earlier = once.get(what);
      if (earlier !== undefined) {
        const kinds = what === "plan" ? ' ("calendar" or "planned")' : "";
        refuse(`a second ${what} line${kinds}: line ${earlier} already gave one, and the file must say one thing`);
      }
      once.set(what, i + 1);
    }
    switch (v.type) {
      case "machine":
        idealCycleTimeS = v.idealCycleTimeS;
        break;
      case "window":
        if (v.end <= v.start) refuse("end: the window must end after its start");
        if (v.end - v.start > WINDOW_MAX_DAYS * 86_400_000) refuse(`end: the window is longer than ${WINDOW_MAX_DAYS} days`);
        window = { start: v.start, end: v.end };
        break;
      case "calendar":
        v.shifts.forEach((sh, s) => {
          const length = shiftMinutes(sh.start, sh.end);
          sh.breaks.forEach((b, k) => {
            if (b.startOffsetMin + b.durationMin > length) {
              refuse(
                `shifts.${s}.breaks.${k}: the break ends ${b.startOffsetMin + b.durationMin} min after the start of shift "${sh.name}", which lasts ${length} min`,
              );
            }
          });
        });
        plan = { kind: "calendar", timeZone: v.timeZone, shifts: v.shifts };
        break;
      case "planned":
        plan = { kind: "explicit", plannedTimeS: v.plannedTimeS };
        plannedLine = i + 1;
        break;
      case "state":
        input.states.push({
          ts: v.ts,
          ...(v.state !== undefined ? { state: v.state } : {}),
          ...(v.code !== undefined ? { code: v.code } : {}),
          ...(v.reason !== undefined ? { reason: v.reason } : {}),
        });
        break;
      case "counts":
        if (v.mode === "delta" && v.reject > v.total) refuse(`reject: ${v.reject} rejects in a delta of ${v.total} parts`);
        if (v.mode === "cumulative" && v.counter_max !== undefined && Math.max(v.total, v.reject) > v.counter_max) {
          refuse(`${v.total > v.counter_max ? "total" : "reject"}: above counter_max ${v.counter_max}`);
        }
        input.counts.push(
          v.mode === "delta"
            ? { ts: v.ts, mode: "delta", total: v.total, reject: v.reject }
            : { ts: v.ts, mode: "cumulative", total: v.total, reject: v.reject, ...(v.counter_max !== undefined ? { counterMax: v.counter_max } : {}) },
        );
        break;
      case "reason":
        if (v.end <= v.start) refuse("end: a reason's interval must end after its start");
        input.reasonEdits?.push({ start: v.start, end: v.end, reason: v.reason });
        break;
      case "mapping": {
        const { type: _type, ...m } = v;
        mapping = m;
        break;
      }
    }
  }
  if (idealCycleTimeS === undefined) throw new OeeInputError('missing a {"type":"machine","idealCycleTimeS":...} line');
  if (!window) throw new OeeInputError('missing a {"type":"window","start":...,"end":...} line');
  const windowS = (window.end - window.start) / 1000;
  if (plan.kind === "explicit" && plan.plannedTimeS > windowS) {
    throw new OeeInputError(
      `line ${plannedLine}: plannedTimeS: ${plan.plannedTimeS} s is longer than the window (${windowS} s); planned busy time is part of the window`,
    );
  }
  return { window, idealCycleTimeS, plan, mapping: forced ?? mapping, ...input };
}
