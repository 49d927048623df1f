// Every site in PostgreSQL (also one without machines yet), ordered by enterprise and site slug.
import { type SiteKey, siteKey } from "#lib/contract/identity.ts";
import type { PrismaClient } from "./client.ts";

export interface SiteRow {
  key: SiteKey;
  name: string;
  timeZone: string;
}

export async function siteRowsOf(prisma: PrismaClient): Promise<SiteRow[]> {
  const sites = await prisma.site.findMany({ include: { enterprise: true }, orderBy: [{ enterprise: { slug: "asc" } }, { slug: "asc" }] });
  return sites.map((s) => ({ key: siteKey({ enterprise: s.enterprise.slug, site: s.slug }), name: s.name, timeZone: s.timeZone }));
}
