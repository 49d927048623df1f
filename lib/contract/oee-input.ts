// The JSON-lines input of `andon oee compute` (docs/oee.md): one object per line, parsed and checked
// here, turned into the OEE core's input. Errors name the line.
import { z } from "zod";
import type { LossMapping, OeeInput } from "../domain/oee/types.ts";
import { eventTimestamp, hhmm, ianaTimeZone, lossCategory as loss } from "./common.ts";

const instant = eventTimestamp.transform((us) => us / 1000); // epoch ms

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

/** `mapping` is used unless the file has a mapping line; `forced` (from --config) beats both. */
export function parseOeeInput(text: string, fallback: LossMapping, forced?: LossMapping): OeeInput {
  let mapping = fallback;
  let idealCycleTimeS: number | undefined;
  let window: OeeInput["window"] | undefined;
  let plan: OeeInput["plan"] = { kind: "window" };
  const input: Pick<OeeInput, "states" | "counts" | "reasonEdits"> = { states: [], counts: [], reasonEdits: [] };
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith("#")) return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (e) {
      throw new OeeInputError(`line ${i + 1}: invalid JSON: ${(e as Error).message}`);
    }
    const r = Line.safeParse(json);
    if (!r.success) throw new OeeInputError(`line ${i + 1}: ${r.error.issues.map((x) => `${x.path.join(".") || "type"}: ${x.message}`).join("; ")}`);
    const v = r.data;
    switch (v.type) {
      case "machine":
        idealCycleTimeS = v.idealCycleTimeS;
        break;
      case "window":
        if (v.end <= v.start) throw new OeeInputError(`line ${i + 1}: window end must be after its start`);
        window = { start: v.start, end: v.end };
        break;
      case "calendar":
        plan = { kind: "calendar", timeZone: v.timeZone, shifts: v.shifts };
        break;
      case "planned":
        plan = { kind: "explicit", plannedTimeS: v.plannedTimeS };
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
        input.counts.push(
          v.mode === "delta"
            ? { ts: v.ts, mode: "delta", total: v.total, reject: v.reject }
            : { ts: v.ts, mode: "cumulative", total: v.total, reject: v.reject, ...(v.counter_max !== undefined ? { counterMax: v.counter_max } : {}) },
        );
        break;
      case "reason":
        input.reasonEdits?.push({ start: v.start, end: v.end, reason: v.reason });
        break;
      case "mapping": {
        const { type: _type, ...m } = v;
        mapping = m;
        break;
      }
    }
  });
  if (idealCycleTimeS === undefined) throw new OeeInputError('missing a {"type":"machine","idealCycleTimeS":...} line');
  if (!window) throw new OeeInputError('missing a {"type":"window","start":...,"end":...} line');
  return { window, idealCycleTimeS, plan, mapping: forced ?? mapping, ...input };
}
