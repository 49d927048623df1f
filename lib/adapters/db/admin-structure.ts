// Sites, areas and lines as the admin services create, rename and remove them. Queries only: the
// rules and the audit are the services' (lib/features/admin/structure.ts). A unique or foreign-key
// violation (a race with another admin) comes back as a result, not as a Prisma error.
import { type AreaPath, areaKey, lineKey, type SitePath, siteKey } from "#lib/contract/identity.ts";
import { areaPath, sitePath } from "./admin-assets.ts";
import type { Prisma, PrismaClient } from "./client.ts";

export type Level = "site" | "area" | "line";
type Db = PrismaClient | Prisma.TransactionClient;

const code = (e: unknown) => (e as { code?: string }).code;

/** The created row's id, or null when a unique index refused it (the same create won a race). */
function unlessDuplicate(created: Promise<{ id: string }>): Promise<{ id: string } | null> {
  return created.catch((e: unknown) => {
    if (code(e) === "P2002") return null;
    throw e;
  });
}

export async function enterpriseId(db: PrismaClient, slug: string): Promise<string | undefined> {
  return (await db.enterprise.findUnique({ where: { slug }, select: { id: true } }))?.id;
}

export function findSiteByPath(db: PrismaClient, p: SitePath) {
  return db.site.findFirst({ where: { slug: p.site, enterprise: { slug: p.enterprise } } });
}

export function findAreaByPath(db: PrismaClient, p: AreaPath) {
  return db.area.findFirst({ where: { slug: p.area, site: { slug: p.site, enterprise: { slug: p.enterprise } } } });
}

/** Whether the parent (an enterprise, a site, an area) already holds a child of this slug. */
export async function childExists(db: PrismaClient, level: Level, parentId: string, slug: string): Promise<boolean> {
  const select = { id: true } as const;
  const found =
    level === "site"
      ? await db.site.findFirst({ where: { enterpriseId: parentId, slug }, select })
      : level === "area"
        ? await db.area.findFirst({ where: { siteId: parentId, slug }, select })
        : await db.line.findFirst({ where: { areaId: parentId, slug }, select });
  return found !== null;
}

export function insertSite(db: PrismaClient, s: { enterpriseId: string; slug: string; name: string; timeZone: string }) {
  return unlessDuplicate(db.site.create({ data: s }));
}

export function insertArea(db: PrismaClient, a: { siteId: string; slug: string; name: string }) {
  return unlessDuplicate(db.area.create({ data: a }));
}

export function insertLine(db: PrismaClient, l: { areaId: string; slug: string; name: string; shiftCalendarId: string | null }) {
  return unlessDuplicate(db.line.create({ data: l }));
}

/** A site, an area or a line: its key, its name and how many children it holds (areas, lines, machines). */
export async function findLevel(db: Db, level: Level, id: string): Promise<{ key: string; name: string; children: number } | null> {
  if (level === "site") {
    const s = await db.site.findUnique({ where: { id }, include: { enterprise: true, _count: { select: { areas: true } } } });
    return s && { key: siteKey({ enterprise: s.enterprise.slug, site: s.slug }), name: s.name, children: s._count.areas };
  }
  if (level === "area") {
    const a = await db.area.findUnique({ where: { id }, include: { ...sitePath, _count: { select: { lines: true } } } });
    return a && { key: areaKey({ enterprise: a.site.enterprise.slug, site: a.site.slug, area: a.slug }), name: a.name, children: a._count.lines };
  }
  const l = await db.line.findUnique({ where: { id }, include: { ...areaPath, _count: { select: { machines: true } } } });
  const path = l && { enterprise: l.area.site.enterprise.slug, site: l.area.site.slug, area: l.area.slug, line: l.slug };
  return l && path && { key: lineKey(path), name: l.name, children: l._count.machines };
}

export async function setName(db: PrismaClient, level: Level, id: string, name: string): Promise<void> {
  if (level === "site") await db.site.update({ where: { id }, data: { name } });
  else if (level === "area") await db.area.update({ where: { id }, data: { name } });
  else await db.line.update({ where: { id }, data: { name } });
}

export type Removal =
  | { ok: true; key: string }
  | { ok: false; reason: "not_found" }
  | { ok: false; reason: "not_empty"; key: string; children: number }
  | { ok: false; reason: "raced" };

/**
 * Deletes a site, an area or a line when it holds nothing, in one transaction. A removed site's key
 * is also taken out of the users' and tokens' site lists. "raced": something was added to it
 * meanwhile (the foreign key refused the delete).
 */
export async function removeIfEmpty(db: PrismaClient, level: Level, id: string): Promise<Removal> {
  try {
    return await db.$transaction(async (tx): Promise<Removal> => {
      const row = await findLevel(tx, level, id);
      if (!row) return { ok: false, reason: "not_found" };
      const { key, children } = row;
      if (children > 0) return { ok: false, reason: "not_empty", key, children };
      if (level === "site") {
        await tx.site.delete({ where: { id } });
        await tx.$executeRaw`UPDATE "User" SET "sites" = array_remove("sites", ${key}) WHERE ${key} = ANY("sites")`;
        await tx.$executeRaw`UPDATE "ApiToken" SET "sites" = array_remove("sites", ${key}) WHERE ${key} = ANY("sites")`;
      } else if (level === "area") await tx.area.delete({ where: { id } });
      else await tx.line.delete({ where: { id } });
      return { ok: true, key };
    });
  } catch (e) {
    if (code(e) === "P2003") return { ok: false, reason: "raced" };
    throw e;
  }
}
