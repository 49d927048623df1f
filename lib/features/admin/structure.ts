// The plant's structure for admins: new sites, areas and lines, new names for them, and removal of
// one that holds nothing yet. Slugs are MQTT topic levels and keys of stored telemetry, so they are
// set once and never renamed here; anything with machines is kept (it has telemetry and history).
// Every change is audited. A new site has no machines and no OEE yet; it shows as such until
// machines are added and report.

import { calendarSiteId } from "#lib/adapters/db/admin-assets.ts";
import {
  childExists,
  enterpriseId,
  findAreaByPath,
  findLevel,
  findSiteByPath,
  insertArea,
  insertLine,
  insertSite,
  type Level,
  removeIfEmpty,
  setName,
} from "#lib/adapters/db/admin-structure.ts";
import { audit, siteSlugOf } from "#lib/adapters/db/audit.ts";
import type { PrismaClient } from "#lib/adapters/db/client.ts";
import type { NewArea, NewLine, NewSite } from "#lib/contract/asset-structure.ts";
import { areaKey, lineKey, parseAreaKey, parseSiteKey, siteKey } from "#lib/contract/identity.ts";
import type { Principal } from "#lib/domain/auth/policy.ts";
import { AssetError } from "./assets.ts";

/** The zone's canonical name (Intl accepts "europe/berlin" and answers "Europe/Berlin"). */
const canonicalZone = (tz: string) => new Intl.DateTimeFormat("en", { timeZone: tz }).resolvedOptions().timeZone;

/** The created row, or a conflict when the same create won a race (a double submit, two admins): not a 500. */
function created<T>(row: T | null, message: string): T {
  if (row === null) throw new AssetError("conflict", message);
  return row;
}

export async function createSite(prisma: PrismaClient, actor: Principal, origin: string | undefined, input: NewSite): Promise<{ id: string; key: string }> {
  const entId = await enterpriseId(prisma, input.enterprise);
  if (!entId) throw new AssetError("invalid", `body.enterprise: no enterprise ${input.enterprise}`);
  const key = siteKey({ enterprise: input.enterprise, site: input.slug });
  const exists = `body.slug: site ${key} exists already`;
  if (await childExists(prisma, "site", entId, input.slug)) throw new AssetError("conflict", exists);
  const timeZone = canonicalZone(input.timeZone);
  const s = created(await insertSite(prisma, { enterpriseId: entId, slug: input.slug, name: input.name, timeZone }), exists);
  await audit(prisma, { actor: actor.name, origin, action: "asset.site.create", subject: key, siteSlug: input.slug, details: { name: input.name, timeZone } });
  return { id: s.id, key };
}

export async function createArea(prisma: PrismaClient, actor: Principal, origin: string | undefined, input: NewArea): Promise<{ id: string; key: string }> {
  const path = parseSiteKey(input.site);
  const site = path && (await findSiteByPath(prisma, path));
  if (!path || !site) throw new AssetError("invalid", `body.site: no site ${input.site}`);
  const key = areaKey({ ...path, area: input.slug });
  const exists = `body.slug: area ${key} exists already`;
  if (await childExists(prisma, "area", site.id, input.slug)) throw new AssetError("conflict", exists);
  const a = created(await insertArea(prisma, { siteId: site.id, slug: input.slug, name: input.name }), exists);
  await audit(prisma, { actor: actor.name, origin, action: "asset.area.create", subject: key, siteSlug: path.site, details: { name: input.name } });
  return { id: a.id, key };
}

export async function createLine(prisma: PrismaClient, actor: Principal, origin: string | undefined, input: NewLine): Promise<{ id: string; key: string }> {
  const path = parseAreaKey(input.area);
  const area = path && (await findAreaByPath(prisma, path));
  if (!path || !area) throw new AssetError("invalid", `body.area: no area ${input.area}`);
  const key = lineKey({ ...path, line: input.slug });
  const exists = `body.slug: line ${key} exists already`;
  if (await childExists(prisma, "line", area.id, input.slug)) throw new AssetError("conflict", exists);
  const calendarId = input.calendarId ?? null;
  if (calendarId && (await calendarSiteId(prisma, calendarId)) !== area.siteId) {
    throw new AssetError("invalid", "body.calendarId: not a shift calendar of this line's site");
  }
  const l = created(await insertLine(prisma, { areaId: area.id, slug: input.slug, name: input.name, shiftCalendarId: calendarId }), exists);
  const details = { name: input.name, calendarId };
  await audit(prisma, { actor: actor.name, origin, action: "asset.line.create", subject: key, siteSlug: path.site, details });
  return { id: l.id, key };
}

/** A new display name for a site, an area or a line (its slug stays). */
export async function rename(
  prisma: PrismaClient,
  actor: Principal,
  origin: string | undefined,
  level: Level,
  id: string,
  name: string,
): Promise<{ key: string }> {
  const row = await findLevel(prisma, level, id);
  if (!row) throw new AssetError("not_found", `no ${level} ${id}`);
  await setName(prisma, level, id, name);
  if (row.name !== name) {
    const details = { name: { from: row.name, to: name } };
    await audit(prisma, { actor: actor.name, origin, action: `asset.${level}.rename`, subject: row.key, siteSlug: siteSlugOf(row.key), details });
  }
  return { key: row.key };
}

const CHILDREN = { site: "area", area: "line", line: "machine" } as const;

/**
 * Removes a site, an area or a line that holds nothing yet (one created by mistake): a site without
 * areas, an area without lines, a line without machines. Anything with machines has telemetry and
 * history and is kept. A removed site's calendars and planned stops go with it, and it is taken out
 * of the users' and tokens' site lists. Audited.
 */
export async function removeEmpty(prisma: PrismaClient, actor: Principal, origin: string | undefined, level: Level, id: string): Promise<{ key: string }> {
  const r = await removeIfEmpty(prisma, level, id);
  if (!r.ok) {
    if (r.reason === "not_found") throw new AssetError("not_found", `no ${level} ${id}`);
    if (r.reason === "not_empty") {
      throw new AssetError("conflict", `${level} ${r.key} has ${r.children} ${CHILDREN[level]}(s): only an empty ${level} can be removed`);
    }
    throw new AssetError("conflict", `the ${level} is no longer empty: something was added to it meanwhile`);
  }
  await audit(prisma, { actor: actor.name, origin, action: `asset.${level}.remove`, subject: r.key, siteSlug: siteSlugOf(r.key), details: {} });
  return { key: r.key };
}
