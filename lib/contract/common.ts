// Schema pieces shared by the inputs Andon parses (MQTT payloads, plant files, the OEE calculator's file).
import { z } from "zod";
import { LOSS_CATEGORIES } from "#lib/domain/oee/types.ts";
import { parseTimestamp } from "./timestamp.ts";

/** A device event timestamp (ISO 8601 with offset, or epoch ms) as epoch microseconds. */
export const eventTimestamp = z.unknown().transform((v, ctx) => {
  const r = parseTimestamp(v);
  if (typeof r === "string") {
    ctx.addIssue({ code: "custom", message: r });
    return z.NEVER;
  }
  return r;
});

export const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be HH:MM");

export const ianaTimeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, "must be an IANA time zone such as Europe/Berlin");

export const lossCategory = z.enum(LOSS_CATEGORIES);
