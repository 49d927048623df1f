// The asset model for admins: the tree (sites, lines with their shift calendar, machines with their
// OEE and vibration settings), creating and editing machines, giving a line a shift calendar.
// Every change is audited with the values before and after. Workers pick changes up on their next
// asset refresh (ingest: INGEST_ASSET_REFRESH_S; the dashboard caches the model for 10 s).

import {
  calendarSiteId,
  findCalendarWithShifts,
  findLineByPath,
  findLineWithPath,
  findMachineWithPath,
  insertMachine,
  lineHasMachine,
  readAssetTree,
  replaceCalendarShifts,
  setLineCalendarId,
  updateMachineSettings,
} from "#lib/adapters/db/admin-assets.ts";
import { audit } from "#lib/adapters/db/audit.ts";
import type { PrismaClient } from "#lib/adapters/db/client.ts";
import type { PlantShift } from "#lib/adapters/db/plant.ts";
import { RefusedError } from "#lib/contract/errors.ts";
import { areaKey, lineKey, machineKey, parseLineKey, siteKey } from "#lib/contract/identity.ts";
import { MACHINE_SETTING_KEYS, type MachineSettings } from "#lib/contract/machine-settings.ts";
import { bearingProblem, shiftsProblem } from "#lib/domain/assets/rules.ts";
import type { Principal } from "#lib/domain/auth/policy.ts";

/** A refused request (lib/contract/errors.ts); the API answers it with its code. */
export class AssetError extends RefusedError {}

const SETTINGS = MACHINE_SETTING_KEYS;

export async function assetTree(prisma: PrismaClient) {
  const { sites, mappings, enterprises } = await readAssetTree(prisma);
  return {
    enterprises: enterprises.map((e) => ({ slug: e.slug, name: e.name })),
    sites: sites.map((s) => {
      const site = { enterprise: s.enterprise.slug, site: s.slug };
      return {
        id: s.id,
        key: siteKey(site),
        name: s.name,
        timeZone: s.timeZone,
        areas: s.areas.map((a) => ({ id: a.id, key: areaKey({ ...site, area: a.slug }), name: a.name })),
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
            key: lineKey({ ...site, area: a.slug, line: l.slug }),
            name: `${a.name} · ${l.name}`,
            lineName: l.name,
            calendarId: l.shiftCalendarId,
            machines: l.machines.map((m) => ({
              id: m.id,
              key: machineKey({ ...site, area: a.slug, line: l.slug, machine: m.slug }) as string,
              slug: m.slug,
              ...Object.fromEntries(SETTINGS.map((k) => [k, m[k]])),
            })) as ({ id: string; key: string; slug: string } & MachineSettings)[],
          })),
        ),
      };
    }),
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

function checkBearing(s: Partial<MachineSettings>) {
  const problem = bearingProblem(s);
  if (problem) throw new AssetError("invalid", problem);
}

/** A line or machine as stored, with the slugs up to its enterprise. */
type Placed = { slug: string; area: { slug: string; site: { slug: string; enterprise: { slug: string } } } };
const pathOfLine = (l: Placed) => ({ enterprise: l.area.site.enterprise.slug, site: l.area.site.slug, area: l.area.slug, line: l.slug });

export async function createMachine(
  prisma: PrismaClient,
  actor: Principal,
  origin: string | undefined,
  input: { line: string; slug: string } & MachineSettings,
): Promise<string> {
  const path = parseLineKey(input.line);
  const line = path && (await findLineByPath(prisma, path));
  if (!path || !line) throw new AssetError("not_found", `no line ${input.line}`);
  if (await lineHasMachine(prisma, line.id, input.slug)) {
    throw new AssetError("conflict", `body.slug: ${input.line} already has a machine ${input.slug}`);
  }
  const { line: _l, slug, ...settings } = input;
  checkBearing(settings);
  const id = await insertMachine(prisma, line.id, slug, settings);
  const key = machineKey({ ...path, machine: slug });
  await audit(prisma, { actor: actor.name, origin, action: "asset.machine.create", subject: key, siteSlug: path.site, details: settings });
  return id;
}

export async function updateMachine(prisma: PrismaClient, actor: Principal, origin: string | undefined, id: string, patch: Partial<MachineSettings>) {
  const before = await findMachineWithPath(prisma, id);
  if (!before) throw new AssetError("not_found", `no machine ${id}`);
  const merged = { ...Object.fromEntries(SETTINGS.map((k) => [k, before[k]])), ...patch } as MachineSettings;
  checkBearing(merged);
  const changed = SETTINGS.filter((k) => patch[k] !== undefined && patch[k] !== before[k]);
  const path = { ...pathOfLine(before.line), machine: before.slug };
  const key: string = machineKey(path);
  if (changed.length === 0) return { key, changed };
  await updateMachineSettings(prisma, id, Object.fromEntries(changed.map((k) => [k, merged[k]])));
  const details = Object.fromEntries(changed.map((k) => [k, { from: before[k], to: merged[k] }]));
  await audit(prisma, { actor: actor.name, origin, action: "asset.machine.update", subject: key, siteSlug: path.site, details });
  return { key, changed };
}

export async function setLineCalendar(prisma: PrismaClient, actor: Principal, origin: string | undefined, lineId: string, calendarId: string | null) {
  const line = await findLineWithPath(prisma, lineId);
  if (!line) throw new AssetError("not_found", `no line ${lineId}`);
  if (calendarId && (await calendarSiteId(prisma, calendarId)) !== line.area.siteId) {
    throw new AssetError("invalid", "body.calendarId: not a shift calendar of this line's site");
  }
  await setLineCalendarId(prisma, lineId, calendarId);
  const path = pathOfLine(line);
  const details = { from: line.shiftCalendarId, to: calendarId };
  await audit(prisma, { actor: actor.name, origin, action: "asset.line.calendar", subject: lineKey(path), siteSlug: path.site, details });
}

/** Replaces a shift calendar's shifts (and their breaks); audited with before and after. */
export async function setCalendarShifts(prisma: PrismaClient, actor: Principal, origin: string | undefined, calendarId: string, shifts: PlantShift[]) {
  const cal = await findCalendarWithShifts(prisma, calendarId);
  if (!cal) throw new AssetError("not_found", `no shift calendar ${calendarId}`);
  const problem = shiftsProblem(shifts);
  if (problem) throw new AssetError("invalid", problem);
  const before = cal.shifts.map((s) => ({ name: s.name, weekdays: s.weekdays, start: s.startLocal, end: s.endLocal, breaks: s.breaks.length }));
  await replaceCalendarShifts(prisma, calendarId, shifts);
  const subject = `${siteKey({ enterprise: cal.site.enterprise.slug, site: cal.site.slug })}/${cal.name}`;
  await audit(prisma, { actor: actor.name, origin, action: "asset.calendar.shifts", subject, siteSlug: cal.site.slug, details: { before, after: shifts } });
}
