// What an admin gives to create or rename a site, an area or a line: the admin API's input, parsed
// once at the boundary (the API catalog), checked by the unit tests. A wire format, hence here in
// the contract: slugs become MQTT topic levels, so they follow the identity contract (SEGMENT) and
// never change once created; names may. The area and line keys (the parents an admin names) are
// built and read here, next to the schema that checks them.
import { z } from "zod";
import { ianaTimeZone } from "./common.ts";
import { SEGMENT } from "./identity.ts";

export const topicSlug = z
  .string()
  .regex(SEGMENT, "must be 1-64 of a-z 0-9 _ -, starting with a letter or digit (it becomes an MQTT topic level)")
  .describe("becomes an MQTT topic level; cannot be changed later");
const name = z.string().trim().min(1, "a name is needed").max(100, "at most 100 characters");
const parentKey = (levels: number, what: string) =>
  z.string().regex(new RegExp(`^[a-z0-9][a-z0-9_-]{0,63}(/[a-z0-9][a-z0-9_-]{0,63}){${levels - 1}}$`), `must be ${what}`);

export const NewSite = z.object({
  enterprise: topicSlug.describe("an existing enterprise"),
  slug: topicSlug,
  name,
  timeZone: ianaTimeZone.describe("IANA time zone, e.g. Europe/Berlin: shift calendars and local days are read in it"),
});
export const NewArea = z.object({ site: parentKey(2, "ENTERPRISE/SITE"), slug: topicSlug, name });
export const NewLine = z.object({
  area: parentKey(3, "ENTERPRISE/SITE/AREA"),
  slug: topicSlug,
  name,
  calendarId: z.string().uuid().nullable().optional().describe("one of the site's shift calendars; none: planned around the clock"),
});
export const Rename = z.object({ name });

export type NewSite = z.infer<typeof NewSite>;
export type NewArea = z.infer<typeof NewArea>;
export type NewLine = z.infer<typeof NewLine>;
