// The asset model for admins: the tree (sites, lines with their shift calendar, machines with their
// OEE and vibration settings), creating and editing machines, giving a line a shift calendar.
// Every change is audited with the values before and after. Workers pick changes up on their next
// asset refresh (ingest: INGEST_ASSET_REFRESH_S; the dashboard caches the model for 10 s).

import type { PrismaClient } from "#lib/adapters/db/client.ts";
import type { PlantShift } from "#lib/adapters/db/plant.ts";
import { RefusedError } from "#lib/contract/errors.ts";
import { MACHINE_SETTING_KEYS, type MachineSettings } from "#lib/contract/machine-settings.ts";
import type { Principal } from "#lib/domain/auth/policy.ts";

/** A refused request (lib/contract/errors.ts); the API answers it with its code. */
export class AssetError extends RefusedError {}

const SETTINGS = MACHINE_SETTING_KEYS;

export async function assetTree(prisma: PrismaClient) {
  const sites = await prisma.site.findMany({
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
  const mappings = await prisma.lossMapping.findMany({ orderBy: [{ name: "asc" }, { version: "desc" }], include: { rules: true } });
  const enterprises = await prisma.enterprise.findMany({ orderBy: { slug: "asc" } });
  return {
    enterprises: enterprises.map((e) => ({ slug: e.slug, name: e.name })),
    sites: sites.map((s) => ({
      id: s.id,
      key: `${s.enterprise.slug}/${s.slug}`,
      name: s.name,
      timeZone: s.timeZone,
      areas: s.areas.map((a) => ({ id: a.id, key: `${s.enterprise.slug}/${s.slug}/${a.slug}`, name: a.name })),
      calendars: s.shiftCalendars.map((c) => ({
        id: c.id,
        name: c.name,
        shifts: c.shifts.map((sh) => ({
          name: sh.name,
          weekdays: sh.weekdays,
          start: sh.startLocal,
          end: sh.endLocal,
          breaks: sh.breaks.map((b) => ({ name: b.name, startOffsetMin: b.startOffsetMin, durationMin: b.durationMin })),
        })),
      })),
      lines: s.areas.flatMap((a) =>
        a.lines.map((l) => ({
          id: l.id,
          key: `${s.enterprise.slug}/${s.slug}/${a.slug}/${l.slug}`,
          name: `${a.name} · ${l.name}`,
          lineName: l.name,
          calendarId: l.shiftCalendarId,
          machines: l.machines.map((m) => ({
            id: m.id,
            key: `${s.enterprise.slug}/${s.slug}/${a.slug}/${l.slug}/${m.slug}`,
            slug: m.slug,
            ...Object.fromEntries(SETTINGS.map((k) => [k, m[k]])),
          })) as ({ id: string; key: string; slug: string } & MachineSettings)[],
        })),
      ),
    })),
    lossMappings: mappings.map((m) => ({
      enterprise: enterprises.find((e) => e.id === m.enterpriseId)?.slug ?? "",
      name: m.name,
      version: m.version,
      microStopS: m.microStopThresholdS,
      startupWindowS: m.startupWindowS,
      rules: m.rules.length,
      isDefault: m.isDefault,
    })),
  };
}

function check(s: Partial<MachineSettings>) {
  const pitch = s.bearingPitchDiameterMm;
  const ball = s.bearingBallDiameterMm;
  if (pitch != null && ball != null && ball >= pitch) {
    throw new AssetError("invalid", "body.bearingBallDiameterMm: the ball diameter must be smaller than the pitch diameter");
  }
  const geometry = [s.bearingRollingElements, ball, pitch];
  if (geometry.some((v) => v != null) && geometry.some((v) => v == null)) {
    throw new AssetError("invalid", "body.bearingRollingElements: give the bearing's rolling elements, ball and pitch diameters together (or none)");
  }
}

async function audit(prisma: PrismaClient, actor: Principal, origin: string | undefined, action: string, subject: string, details: object) {
  await prisma.auditLog.create({
    data: { actor: actor.name, ...(origin ? { origin } : {}), action, subject, siteSlug: subject.split("/")[1] ?? null, result: "ok", details },
  });
}

export async function createMachine(
  prisma: PrismaClient,
  actor: Principal,
  origin: string | undefined,
  input: { line: string; slug: string } & MachineSettings,
): Promise<string> {
  const [enterprise, site, area, lineSlug] = input.line.split("/");
  const line = await prisma.line.findFirst({ where: { slug: lineSlug, area: { slug: area, site: { slug: site, enterprise: { slug: enterprise } } } } });
  if (!line) throw new AssetError("not_found", `no line ${input.line}`);
  if (await prisma.machine.findFirst({ where: { lineId: line.id, slug: input.slug } })) {
    throw new AssetError("conflict", `body.slug: ${input.line} already has a machine ${input.slug}`);
  }
  const { line: _l, slug, ...settings } = input;
  check(settings);
  const m = await prisma.machine.create({ data: { lineId: line.id, slug, ...settings } });
  await audit(prisma, actor, origin, "asset.machine.create", `${input.line}/${slug}`, settings);
  return m.id;
}

export async function updateMachine(prisma: PrismaClient, actor: Principal, origin: string | undefined, id: string, patch: Partial<MachineSettings>) {
  const before = await prisma.machine.findUnique({
    where: { id },
    include: { line: { include: { area: { include: { site: { include: { enterprise: true } } } } } } },
  });
  if (!before) throw new AssetError("not_found", `no machine ${id}`);
  const merged = { ...Object.fromEntries(SETTINGS.map((k) => [k, before[k]])), ...patch } as MachineSettings;
  check(merged);
  const changed = SETTINGS.filter((k) => patch[k] !== undefined && patch[k] !== before[k]);
  const key = `${before.line.area.site.enterprise.slug}/${before.line.area.site.slug}/${before.line.area.slug}/${before.line.slug}/${before.slug}`;
  if (changed.length === 0) return { key, changed };
  await prisma.machine.update({ where: { id }, data: Object.fromEntries(changed.map((k) => [k, merged[k]])) });
  await audit(prisma, actor, origin, "asset.machine.update", key, Object.fromEntries(changed.map((k) => [k, { from: before[k], to: merged[k] }])));
  return { key, changed };
}

export async function setLineCalendar(prisma: PrismaClient, actor: Principal, origin: string | undefined, lineId: string, calendarId: string | null) {
  const line = await prisma.line.findUnique({ where: { id: lineId }, include: { area: { include: { site: { include: { enterprise: true } } } } } });
  if (!line) throw new AssetError("not_found", `no line ${lineId}`);
  if (calendarId) {
    const cal = await prisma.shiftCalendar.findUnique({ where: { id: calendarId } });
    if (!cal || cal.siteId !== line.area.siteId) throw new AssetError("invalid", "body.calendarId: not a shift calendar of this line's site");
  }
  await prisma.line.update({ where: { id: lineId }, data: { shiftCalendarId: calendarId } });
  const key = `${line.area.site.enterprise.slug}/${line.area.site.slug}/${line.area.slug}/${line.slug}`;
  await audit(prisma, actor, origin, "asset.line.calendar", key, { from: line.shiftCalendarId, to: calendarId });
}

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Replaces a shift calendar's shifts (and their breaks); audited with before and after. */
export async function setCalendarShifts(prisma: PrismaClient, actor: Principal, origin: string | undefined, calendarId: string, shifts: PlantShift[]) {
  const cal = await prisma.shiftCalendar.findUnique({
    where: { id: calendarId },
    include: { site: { include: { enterprise: true } }, shifts: { include: { breaks: true } } },
  });
  if (!cal) throw new AssetError("not_found", `no shift calendar ${calendarId}`);
  const names = new Set<string>();
  for (const [i, sh] of shifts.entries()) {
    if (names.has(sh.name)) throw new AssetError("invalid", `body.shifts.${i}.name: "${sh.name}" twice; shift names must be unique`);
    names.add(sh.name);
    const length = (minutes(sh.end) - minutes(sh.start) + 1440) % 1440 || 1440;
    for (const [j, b] of sh.breaks.entries()) {
      if (b.startOffsetMin + b.durationMin > length) {
        throw new AssetError("invalid", `body.shifts.${i}.breaks.${j}: the break ends after the shift (${sh.start}-${sh.end} is ${length} min)`);
      }
    }
  }
  const before = cal.shifts.map((s) => ({ name: s.name, weekdays: s.weekdays, start: s.startLocal, end: s.endLocal, breaks: s.breaks.length }));
  await prisma.$transaction(async (tx) => {
    await tx.shift.deleteMany({ where: { calendarId } });
    for (const sh of shifts) {
      await tx.shift.create({
        data: { calendarId, name: sh.name, weekdays: sh.weekdays, startLocal: sh.start, endLocal: sh.end, breaks: { create: sh.breaks } },
      });
    }
  });
  const key = `${cal.site.enterprise.slug}/${cal.site.slug}`;
  await audit(prisma, actor, origin, "asset.calendar.shifts", `${key}/${cal.name}`, { before, after: shifts });
}
