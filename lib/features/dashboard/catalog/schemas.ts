// The zod pieces several parts of the API catalog share: instants, slugs and paths, the caller, OEE
// figures, and the one error shape.
import { z } from "zod";
import { ERROR_CODES } from "#lib/contract/errors.ts";
import { type MachineKey, siteKey, siteOf } from "#lib/contract/identity.ts";
import { ROLES } from "#lib/domain/auth/policy.ts";

/** An instant in a query string: ISO 8601 with offset, or epoch milliseconds. */
export const instant = z
  .union([z.string().datetime({ offset: true }), z.string().regex(/^\d+$/, "epoch milliseconds")])
  .transform((v) => (/^\d+$/.test(v) ? Number(v) : Date.parse(v)));
/** An instant in a JSON body: ISO 8601 with offset, or epoch milliseconds. */
export const instantBody = z.union([z.string().datetime({ offset: true }), z.number().int()]).transform((v) => (typeof v === "number" ? v : Date.parse(v)));
export const machinePath = z
  .string()
  .regex(/^[a-z0-9_-]{1,64}(\/[a-z0-9_-]{1,64}){4}$/, "must be ENTERPRISE/SITE/AREA/LINE/MACHINE")
  .describe("the machine's path, e.g. acme/dresden/machining/line-1/cnc-01");
export const slugParam = z.string().regex(/^[a-z0-9_-]{1,64}$/, "must be 1-64 of a-z 0-9 _ -");
/** The site of a machine path that `machinePath` has checked (five levels). */
export const siteOfMachinePath = (p: string) => siteOf(p as MachineKey);

export const principal = z.object({
  username: z.string(),
  displayName: z.string(),
  role: z.enum(ROLES),
  sites: z.union([z.literal("all"), z.array(z.string())]),
});
export const kpis = z.object({
  availability: z.number().nullable(),
  performance: z.number().nullable(),
  quality: z.number().nullable(),
  oee: z.number().nullable(),
  technicalEfficiency: z.number().nullable(),
  setupRatio: z.number().nullable(),
  scrapRatio: z.number().nullable(),
  throughputPerHour: z.number().nullable(),
  mtbfS: z.number().nullable(),
  mttrS: z.number().nullable(),
});
export const elements = z.record(z.string(), z.number()).describe("ISO 22400 time elements (s) and counts, docs/oee.md");
export const ok = z.object({ ok: z.literal(true) });

export const machineParams = z.object({ enterprise: slugParam, site: slugParam, area: slugParam, line: slugParam, machine: slugParam });
/** The site of a request whose path names {enterprise} and {site}. */
export const siteOfParams = ({ params }: { params: unknown }) => siteKey(params as { enterprise: string; site: string });

export const errorSchema = z.object({
  error: z.object({
    code: z.enum(ERROR_CODES),
    message: z.string(),
    details: z.unknown().optional(),
  }),
});
