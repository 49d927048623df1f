// The plant's structure for admins: new sites, areas and lines, and new names for them. Slugs are
// MQTT topic levels and keys of stored telemetry, so they are set once and never renamed here.
// Nothing is deleted (sites, areas and lines are kept by Restrict relations). Every change is audited.
// A new site has no machines and no OEE yet; it shows as such until machines are added and report.

import type { PrismaClient } from "#lib/adapters/db/client.ts";
import type { Principal } from "#lib/domain/auth/policy.ts";
import { AssetError } from "./assets.ts";
import type { NewArea, NewLine, NewSite } from "./structure-input.ts";

async function audit(prisma: PrismaClient, actor: Principal, origin: string | undefined, action: string, subject: string, details: object) {
  await prisma.auditLog.create({
    data: { actor: actor.name, ...(origin ? { origin } : {}), action, subject, siteSlug: subject.split("/")[1] ?? null, result: "ok", details },
  });
}

/** A create that lost a race with the same one (a double submit, two admins): a conflict, not a 500. */
function unique<T>(created: Promise<T>, message: string): Promise<T> {
  return created.catch((e: { code?: string }) => {
    throw e.code === "P2002" ? new AssetError("conflict", message) : e;
  });
}

/** The zone's canonical name (Intl accepts "europe/berlin" and answers "Europe/Berlin"). */
const canonicalZone = (tz: string) => new Intl.DateTimeFormat("en", { timeZone: tz }).resolvedOptions().timeZone;

export async function createSite(prisma: PrismaClient, actor: Principal, origin: string | undefined, input: NewSite): Promise<{ id: string; key: string }> {
  const ent = await prisma.enterprise.findUnique({ where: { slug: input.enterprise } });
  if (!ent) throw new AssetError("invalid", `body.enterprise: no enterprise ${input.enterprise}`);
  const key = `${input.enterprise}/${input.slug}`;
  if (await prisma.site.findFirst({ where: { enterpriseId: ent.id, slug: input.slug } }))
    throw new AssetError("conflict", `body.slug: site ${key} exists already`);
  const timeZone = canonicalZone(input.timeZone);
  const s = await unique(
    prisma.site.create({ data: { enterpriseId: ent.id, slug: input.slug, name: input.name, timeZone } }),
    `body.slug: site ${key} exists already`,
  );
  await audit(prisma, actor, origin, "asset.site.create", key, { name: input.name, timeZone });
  return { id: s.id, key };
}

export async function createArea(prisma: PrismaClient, actor: Principal, origin: string | undefined, input: NewArea): Promise<{ id: string; key: string }> {
  const [enterprise, slug] = input.site.split("/");
  const site = await prisma.site.findFirst({ where: { slug, enterprise: { slug: enterprise } } });
  if (!site) throw new AssetError("invalid", `body.site: no site ${input.site}`);
  const key = `${input.site}/${input.slug}`;
  if (await prisma.area.findFirst({ where: { siteId: site.id, slug: input.slug } })) throw new AssetError("conflict", `body.slug: area ${key} exists already`);
  const a = await unique(prisma.area.create({ data: { siteId: site.id, slug: input.slug, name: input.name } }), `body.slug: area ${key} exists already`);
  await audit(prisma, actor, origin, "asset.area.create", key, { name: input.name });
  return { id: a.id, key };
}

export async function createLine(prisma: PrismaClient, actor: Principal, origin: string | undefined, input: NewLine): Promise<{ id: string; key: string }> {
  const [enterprise, site, slug] = input.area.split("/");
  const area = await prisma.area.findFirst({ where: { slug, site: { slug: site, enterprise: { slug: enterprise } } } });
  if (!area) throw new AssetError("invalid", `body.area: no area ${input.area}`);
  const key = `${input.area}/${input.slug}`;
  if (await prisma.line.findFirst({ where: { areaId: area.id, slug: input.slug } })) throw new AssetError("conflict", `body.slug: line ${key} exists already`);
  const calendarId = input.calendarId ?? null;
  if (calendarId) {
    const cal = await prisma.shiftCalendar.findUnique({ where: { id: calendarId } });
    if (!cal || cal.siteId !== area.siteId) throw new AssetError("invalid", "body.calendarId: not a shift calendar of this line's site");
  }
  const l = await unique(
    prisma.line.create({ data: { areaId: area.id, slug: input.slug, name: input.name, shiftCalendarId: calendarId } }),
    `body.slug: line ${key} exists already`,
  );
  await audit(prisma, actor, origin, "asset.line.create", key, { name: input.name, calendarId });
  return { id: l.id, key };
}

type Level = "site" | "area" | "line";

/** A new display name for a site, an area or a line (its slug stays). */
export async function rename(
  prisma: PrismaClient,
  actor: Principal,
  origin: string | undefined,
  level: Level,
  id: string,
  name: string,
): Promise<{ key: string }> {
  const site = { include: { enterprise: true } } as const;
  let key: string;
  let before: string;
  if (level === "site") {
    const s = await prisma.site.findUnique({ where: { id }, ...site });
    if (!s) throw new AssetError("not_found", `no site ${id}`);
    key = `${s.enterprise.slug}/${s.slug}`;
    before = s.name;
    await prisma.site.update({ where: { id }, data: { name } });
  } else if (level === "area") {
    const a = await prisma.area.findUnique({ where: { id }, include: { site } });
    if (!a) throw new AssetError("not_found", `no area ${id}`);
    key = `${a.site.enterprise.slug}/${a.site.slug}/${a.slug}`;
    before = a.name;
    await prisma.area.update({ where: { id }, data: { name } });
  } else {
    const l = await prisma.line.findUnique({ where: { id }, include: { area: { include: { site } } } });
    if (!l) throw new AssetError("not_found", `no line ${id}`);
    key = `${l.area.site.enterprise.slug}/${l.area.site.slug}/${l.area.slug}/${l.slug}`;
    before = l.name;
    await prisma.line.update({ where: { id }, data: { name } });
  }
  if (before !== name) await audit(prisma, actor, origin, `asset.${level}.rename`, key, { name: { from: before, to: name } });
  return { key };
}

/**
 * Removes a site, an area or a line that holds nothing yet (one created by mistake): a site without
 * areas, an area without lines, a line without machines. Anything with machines has telemetry and
 * history and is kept. A removed site's calendars and planned stops go with it, and it is taken out
 * of the users' and tokens' site lists. Audited.
 */
export async function removeEmpty(prisma: PrismaClient, actor: Principal, origin: string | undefined, level: Level, id: string): Promise<{ key: string }> {
  const site = { include: { enterprise: true } } as const;
  const removed = prisma.$transaction(async (tx) => {
    if (level === "site") {
      const s = await tx.site.findUnique({ where: { id }, include: { enterprise: true, _count: { select: { areas: true } } } });
      if (!s) throw new AssetError("not_found", `no site ${id}`);
      const k = `${s.enterprise.slug}/${s.slug}`;
      if (s._count.areas > 0) throw new AssetError("conflict", `site ${k} has ${s._count.areas} area(s): only an empty site can be removed`);
      await tx.site.delete({ where: { id } });
      await tx.$executeRaw`UPDATE "User" SET "sites" = array_remove("sites", ${k}) WHERE ${k} = ANY("sites")`;
      await tx.$executeRaw`UPDATE "ApiToken" SET "sites" = array_remove("sites", ${k}) WHERE ${k} = ANY("sites")`;
      return k;
    }
    if (level === "area") {
      const a = await tx.area.findUnique({ where: { id }, include: { site, _count: { select: { lines: true } } } });
      if (!a) throw new AssetError("not_found", `no area ${id}`);
      const k = `${a.site.enterprise.slug}/${a.site.slug}/${a.slug}`;
      if (a._count.lines > 0) throw new AssetError("conflict", `area ${k} has ${a._count.lines} line(s): only an empty area can be removed`);
      await tx.area.delete({ where: { id } });
      return k;
    }
    const l = await tx.line.findUnique({ where: { id }, include: { area: { include: { site } }, _count: { select: { machines: true } } } });
    if (!l) throw new AssetError("not_found", `no line ${id}`);
    const k = `${l.area.site.enterprise.slug}/${l.area.site.slug}/${l.area.slug}/${l.slug}`;
    if (l._count.machines > 0) throw new AssetError("conflict", `line ${k} has ${l._count.machines} machine(s): only an empty line can be removed`);
    await tx.line.delete({ where: { id } });
    return k;
  });
  // something was added to it meanwhile (the foreign key refuses): kept
  const key = await removed.catch((e: { code?: string }) => {
    throw e.code === "P2003" ? new AssetError("conflict", `the ${level} is no longer empty: something was added to it meanwhile`) : e;
  });
  await audit(prisma, actor, origin, `asset.${level}.remove`, key, {});
  return { key };
}
