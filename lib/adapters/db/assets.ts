import type { PrismaClient } from "./client.ts";

/** Machine paths enterprise/site/area/line/machine of every machine in the asset model. */
export async function loadMachineKeys(prisma: PrismaClient): Promise<Set<string>> {
  const rows = await prisma.machine.findMany({
    select: {
      slug: true,
      line: { select: { slug: true, area: { select: { slug: true, site: { select: { slug: true, enterprise: { select: { slug: true } } } } } } } },
    },
  });
  return new Set(rows.map((m) => `${m.line.area.site.enterprise.slug}/${m.line.area.site.slug}/${m.line.area.slug}/${m.line.slug}/${m.slug}`));
}
