// Commands down to one machine and its answers (MQTT 5 request/response). Spec with examples:
// docs/mqtt.md "Commands". Pure: the schemas and the rules every party shares.
import { z } from "zod";
import type { Role } from "#lib/domain/auth/policy.ts";
import { preview } from "./preview.ts";

const speedPct = (min: number, max: number) =>
  z
    .number({ error: "speed_pct must be a number (percent of the nominal speed)" })
    .min(min, `speed_pct must be at least ${min} %`)
    .max(max, `speed_pct must be at most ${max} %`);

const noParams = z.object({}).strict();

/**
 * Every command type: its parameters, whether it is hazardous (moves or stops machinery: a second,
 * explicit confirmation is required), who may send it, and how long the machine may take to
 * complete it once accepted. The contract allows what any machine could do; a machine rejects what
 * it cannot (e.g. a speed outside its own range) with a reason.
 */
export const COMMAND_TYPES = {
  stop: {
    title: "Stop the machine",
    hazardous: true,
    roles: ["ADMIN", "PLANT_MANAGER", "MAINTENANCE"],
    params: z.object({ reason: z.string().trim().min(1).max(200).optional() }).strict(),
    completeWithinS: 120,
  },
  start: {
    title: "Start the machine",
    hazardous: true,
    roles: ["ADMIN", "PLANT_MANAGER", "MAINTENANCE"],
    params: noParams,
    completeWithinS: 120,
  },
  set_speed: {
    title: "Set the speed",
    hazardous: true,
    roles: ["ADMIN", "PLANT_MANAGER"],
    params: z.object({ speed_pct: speedPct(1, 150) }).strict(),
    completeWithinS: 60,
  },
  slow_down: {
    title: "Slow down",
    hazardous: false,
    roles: ["ADMIN", "PLANT_MANAGER", "MAINTENANCE"],
    params: z.object({ speed_pct: speedPct(1, 99).default(70) }).strict(),
    completeWithinS: 60,
  },
  reset_fault: {
    title: "Reset the fault",
    hazardous: false,
    roles: ["ADMIN", "PLANT_MANAGER", "MAINTENANCE"],
    params: noParams,
    completeWithinS: 60,
  },
  request_inspection: {
    title: "Request an inspection",
    hazardous: false,
    roles: ["ADMIN", "PLANT_MANAGER", "MAINTENANCE"],
    params: z
      .object({
        note: z.string().trim().min(1, "say what to inspect").max(500),
        priority: z.enum(["normal", "urgent"]).default("normal"),
        alert_id: z.string().uuid().optional(),
      })
      .strict(),
    completeWithinS: 60,
  },
  ack_hmi_alarm: {
    title: "Acknowledge an alarm on the HMI",
    hazardous: false,
    roles: ["ADMIN", "PLANT_MANAGER", "MAINTENANCE"],
    params: z.object({ alarm_code: z.string().trim().min(1).max(64) }).strict(),
    completeWithinS: 60,
  },
} as const satisfies Record<string, { title: string; hazardous: boolean; roles: readonly Role[]; params: z.ZodType; completeWithinS: number }>;

export type CommandType = keyof typeof COMMAND_TYPES;
export const COMMAND_TYPE_NAMES = Object.keys(COMMAND_TYPES) as [CommandType, ...CommandType[]];

/** Parses a command's parameters against its type; the message names the parameter. */
export function parseCommandParams(type: CommandType, params: unknown): { ok: true; params: Record<string, unknown> } | { ok: false; reason: string } {
  const r = COMMAND_TYPES[type].params.safeParse(params ?? {});
  if (r.success) return { ok: true, params: r.data as Record<string, unknown> };
  const i = r.error.issues[0];
  const where = i?.path.length ? `params.${i.path.join(".")}` : "params";
  if (i?.code === "unrecognized_keys") {
    // the keys come from the caller: a few of them, each cut short
    const shown = i.keys.slice(0, 5).map((k) => (/^[\w-]{1,40}$/.test(k) ? k : preview(k, 40)));
    const more = i.keys.length > shown.length ? ` and ${i.keys.length - shown.length} more` : "";
    return { ok: false, reason: `${where}: unknown ${shown.join(", ")}${more} for ${type}` };
  }
  return { ok: false, reason: `${where}: ${i?.message ?? "invalid"}` };
}

/** Expiry bounds: a command nobody carried out within this time must not be carried out later. */
export const EXPIRY_S = { min: 5, max: 24 * 3600, default: 300 } as const;

/** The request a machine receives on its command topic (JSON; MQTT 5 correlation data = the id). */
export const CommandRequest = z.object({
  v: z.literal(1),
  id: z.string().uuid(),
  type: z.enum(COMMAND_TYPE_NAMES),
  params: z.record(z.string(), z.unknown()).default({}),
  /** when it was issued and after when it must not be executed (ISO 8601, UTC) */
  issued_at: z.string().datetime({ offset: true }),
  expires_at: z.string().datetime({ offset: true }),
  /** who asked (user or API token name), for the HMI */
  issued_by: z.string().max(200),
});
export type CommandRequest = z.infer<typeof CommandRequest>;

export const RESPONSE_STATUSES = ["accepted", "rejected", "completed", "failed"] as const;
export type ResponseStatus = (typeof RESPONSE_STATUSES)[number];

/** What a machine publishes on the response topic; `reason` is required for rejected and failed. */
export const CommandResponse = z
  .object({
    v: z.literal(1),
    id: z.string().uuid(),
    status: z.enum(RESPONSE_STATUSES),
    reason: z.string().min(1).max(500).optional(),
    ts: z.string().datetime({ offset: true }),
  })
  .refine((r) => !(r.status === "rejected" || r.status === "failed") || r.reason, { message: "reason is required when rejected or failed", path: ["reason"] });
export type CommandResponse = z.infer<typeof CommandResponse>;
