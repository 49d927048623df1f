// The asset model as the admin services read and change it: the whole tree, machines, a line's shift
// calendar, a calendar's shifts. Queries only: the rules and the audit are the services' (lib/features/admin).
import type { LinePath } from "#lib/contract/identity.ts";
import type { MachineSettings } from "#lib/contract/machine-settings.ts";
import type { Prisma, PrismaClient } from "./client.ts";
import type { PlantShift } from "./plant.ts";

/** Where a machine, a line or a calendar sits: the slugs up to its enterprise. */
export const sitePath = { site: { include: { enterprise: true } } } as const;
export const areaPath = { area: { include: sitePath } } as const;
export const linePath = { line: { include: areaPath } } as const;

/** Sites (with calendars, areas, lines, machines), loss mappings and enterprises, in display order. */
export async function readAssetTree(db: PrismaClient) {
  const sites = await db.site.findMany({
    orderBy: [{ enterprise: { slug: "asc" } }, { slug: "asc" }],
    include: {
      enterprise: true,
      shiftCalendars: { orderBy: { name: "asc" }, include: { shifts: { orderBy: { startLocal: "asc" }, include: { breaks: true } } } },
      areas: {
        orderBy: { slug: "asc" },
        include: { lines: { orderBy: { slug: "asc" }, include: { machines: { orderBy: { slug: "asc" } } } } },
      },
    },
  });
  const mappings = await db.lossMapping.findMany({ orderBy: [{ name: "asc" }, { version: "desc" }], include: { rules: true } });
  const enterprises = await db.enterprise.findMany({ orderBy: { slug: "asc" } });
  return { sites, mappings, enterprises };
}

export function findLineByPath(db: PrismaClient, p: LinePath) {
  return db.line.findFirst({ where: { slug: p.line, area: { slug: p.area, site: { slug: p.site, enterprise: { slug: p.enterprise } } } } });
}

export async function lineHasMachine(db: PrismaClient, lineId: string, slug: string): Promise<boolean> {
  return (await db.machine.findFirst({ where: { lineId, slug }, select: { id: true } })) !== null;
}

export async function insertMachine(db: PrismaClient, lineId: string, slug: string, settings: MachineSettings): Promise<string> {
  return (await db.machine.create({ data: { lineId, slug, ...settings } })).id;
}

/** A machine with its line, area, site and enterprise. */
export function findMachineWithPath(db: PrismaClient, id: string) {
  return db.machine.findUnique({ where: { id }, include: linePath });
}

export async function updateMachineSettings(db: PrismaClient, id: string, data: Partial<MachineSettings>): Promise<void> {
  await db.machine.update({ where: { id }, data });
}

/** A line with its area, site and enterprise. */
export function findLineWithPath(db: PrismaClient, id: string) {
  return db.line.findUnique({ where: { id }, include: areaPath });
}

/** The site a shift calendar belongs to, or undefined when there is no such calendar. */
export async function calendarSiteId(db: PrismaClient, calendarId: string): Promise<string | undefined> {
  return (await db.shiftCalendar.findUnique({ where: { id: calendarId }, select: { siteId: true } }))?.siteId;
}

export async function setLineCalendarId(db: PrismaClient, lineId: string, calendarId: string | null): Promise<void> {
  await db.line.update({ where: { id: lineId }, data: { shiftCalendarId: calendarId } });
}

/** A shift calendar with its site (and enterprise) and its shifts with their breaks. */
export function findCalendarWithShifts(db: PrismaClient, id: string) {
  return db.shiftCalendar.findUnique({ where: { id }, include: { ...sitePath, shifts: { include: { breaks: true } } } });
}

/** Replaces a calendar's shifts and their breaks, all or nothing. */
export async function replaceCalendarShifts(db: PrismaClient, calendarId: string, shifts: readonly PlantShift[]): Promise<void> {
  await db.$transaction((tx) => writeShifts(tx, calendarId, shifts));
}

/** A calendar's shifts become these (inside the caller's transaction: the admin service's, the seed's). */
export async function writeShifts(tx: Prisma.TransactionClient, calendarId: string, shifts: readonly PlantShift[]): Promise<void> {
  await tx.shift.deleteMany({ where: { calendarId } });
  for (const sh of shifts) {
    await tx.shift.create({
      data: { calendarId, name: sh.name, weekdays: sh.weekdays, startLocal: sh.start, endLocal: sh.end, breaks: { create: sh.breaks } },
    });
  }
}
