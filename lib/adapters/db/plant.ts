// The asset model as one typed tree, read from PostgreSQL (for the ingest registry, the simulator
// and the dashboard) or from a plant file (for the seed). Validation of a plant file lives here too.
import { readFileSync } from "node:fs";
import { z } from "zod";
import { hhmm, ianaTimeZone, lossCategory } from "#lib/contract/common.ts";
import { type MachineKey, type MachinePath, machineKey, SEGMENT } from "#lib/contract/identity.ts";
import { PlantMachineSettingsSchema } from "#lib/contract/machine-settings.ts";
import type { LossMapping } from "#lib/domain/oee/types.ts";
import { toRule } from "./admin-loss-mappings.ts";
import type { PrismaClient } from "./client.ts";

type DbMapping = {
  name: string;
  version: number;
  microStopThresholdS: number;
  startupWindowS: number;
  rules: { state: string | null; code: number | null; category: number | null; reason: string | null; loss: LossMapping["rules"][number]["loss"] }[];
};

function toLossMapping(m: DbMapping | null | undefined): LossMapping | undefined {
  if (!m) return undefined;
  return {
    name: m.name,
    version: m.version,
    microStopThresholdS: m.microStopThresholdS,
    ...(m.startupWindowS > 0 ? { startupWindowS: m.startupWindowS } : {}),
    rules: m.rules.map(toRule),
  };
}

const slug = z.string().regex(SEGMENT, "must be 1-64 of a-z 0-9 _ - (an MQTT topic level)");
const timeZone = ianaTimeZone;

const machine = PlantMachineSettingsSchema.extend({ slug });
export const ShiftSchema = z.object({
  name: z.string().min(1),
  weekdays: z.array(z.number().int().min(1).max(7)).min(1),
  start: hhmm,
  end: hhmm,
  breaks: z.array(z.object({ name: z.string().min(1), startOffsetMin: z.number().int().min(0), durationMin: z.number().int().positive() })).default([]),
});
export const PlantFile = z.object({
  enterprise: z.object({ slug, name: z.string().min(1) }),
  lossMapping: z.object({
    name: z.string().min(1),
    version: z.number().int().positive(),
    microStopThresholdS: z.number().positive(),
    startupWindowS: z.number().min(0).optional(),
    rules: z.array(
      z.object({
        state: z.string().optional(),
        code: z.number().int().optional(),
        category: z.number().int().optional(),
        reason: z.string().optional(),
        loss: lossCategory,
      }),
    ),
  }),
  sites: z.array(
    z.object({
      slug,
      name: z.string().min(1),
      timeZone,
      calendars: z.array(z.object({ name: z.string().min(1), shifts: z.array(ShiftSchema) })),
      areas: z.array(
        z.object({
          slug,
          name: z.string().min(1),
          lines: z.array(z.object({ slug, name: z.string().min(1), calendar: z.string().optional(), machines: z.array(machine) })),
        }),
      ),
    }),
  ),
});
export type PlantFile = z.infer<typeof PlantFile>;
export type PlantMachine = z.infer<typeof machine>;
export type PlantShift = z.infer<typeof ShiftSchema>;

export function readPlantFile(path: string): PlantFile {
  const r = PlantFile.safeParse(JSON.parse(readFileSync(path, "utf8")));
  if (!r.success) throw new Error(`invalid plant file ${path}: ${r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  return r.data;
}

/** One machine with everything the simulator and the registry need, flattened. */
export interface MachineInfo extends PlantMachine {
  enterprise: string;
  site: string;
  siteName?: string;
  area: string;
  line: string;
  lineName?: string;
  timeZone: string;
  shifts: PlantShift[];
  /** The machine's state-to-loss mapping (its own, else its enterprise's default); undefined if none. */
  lossMapping?: LossMapping;
  /** Its ISA-95 path (path.machine is its slug) and the key made from it. */
  path: MachinePath;
  key: MachineKey;
}

/** Every machine in PostgreSQL, with its path, site time zone and line shift calendar. */
export async function loadMachines(prisma: PrismaClient): Promise<MachineInfo[]> {
  const rows = await prisma.machine.findMany({
    include: {
      lossMapping: { include: { rules: true } },
      line: {
        include: {
          area: {
            include: {
              site: {
                include: { enterprise: { include: { lossMappings: { where: { isDefault: true }, include: { rules: true }, orderBy: { version: "desc" } } } } },
              },
            },
          },
          shiftCalendar: { include: { shifts: { include: { breaks: true } } } },
        },
      },
    },
    orderBy: [{ line: { area: { site: { slug: "asc" } } } }, { line: { slug: "asc" } }, { slug: "asc" }],
  });
  return rows.map((m) => {
    const path = { enterprise: m.line.area.site.enterprise.slug, site: m.line.area.site.slug, area: m.line.area.slug, line: m.line.slug, machine: m.slug };
    return {
      path,
      key: machineKey(path),
      slug: m.slug,
      name: m.name,
      idealCycleTimeS: m.idealCycleTimeS,
      vibrationGroup: m.vibrationGroup,
      foundation: m.foundation,
      nominalSpeedRpm: m.nominalSpeedRpm ?? undefined,
      bearingRollingElements: m.bearingRollingElements ?? undefined,
      bearingBallDiameterMm: m.bearingBallDiameterMm ?? undefined,
      bearingPitchDiameterMm: m.bearingPitchDiameterMm ?? undefined,
      bearingContactAngleDeg: m.bearingContactAngleDeg ?? undefined,
      hasWaveformSensor: m.hasWaveformSensor,
      enterprise: m.line.area.site.enterprise.slug,
      site: m.line.area.site.slug,
      siteName: m.line.area.site.name,
      area: m.line.area.slug,
      line: m.line.slug,
      lineName: m.line.name,
      timeZone: m.line.area.site.timeZone,
      lossMapping: toLossMapping(m.lossMapping ?? m.line.area.site.enterprise.lossMappings[0]),
      shifts: (m.line.shiftCalendar?.shifts ?? []).map((s) => ({
        name: s.name,
        weekdays: s.weekdays,
        start: s.startLocal,
        end: s.endLocal,
        breaks: s.breaks.map((b) => ({ name: b.name, startOffsetMin: b.startOffsetMin, durationMin: b.durationMin })),
      })),
    };
  });
}

/** A plant file's machines as loadMachines would give them after seeding it (no database: the run-to-failure harness, tests). */
export function machinesOfPlant(plant: PlantFile): MachineInfo[] {
  const mapping: LossMapping = {
    name: plant.lossMapping.name,
    version: plant.lossMapping.version,
    microStopThresholdS: plant.lossMapping.microStopThresholdS,
    ...(plant.lossMapping.startupWindowS ? { startupWindowS: plant.lossMapping.startupWindowS } : {}),
    rules: plant.lossMapping.rules,
  };
  return plant.sites.flatMap((s) =>
    s.areas.flatMap((a) =>
      a.lines.flatMap((l) => {
        const shifts = (l.calendar ? s.calendars.find((c) => c.name === l.calendar)?.shifts : undefined) ?? [];
        return l.machines.map((m) => {
          const path = { enterprise: plant.enterprise.slug, site: s.slug, area: a.slug, line: l.slug, machine: m.slug };
          return {
            ...m,
            path,
            key: machineKey(path),
            enterprise: path.enterprise,
            site: s.slug,
            siteName: s.name,
            area: a.slug,
            line: l.slug,
            lineName: l.name,
            timeZone: s.timeZone,
            lossMapping: mapping,
            shifts,
          };
        });
      }),
    ),
  );
}
