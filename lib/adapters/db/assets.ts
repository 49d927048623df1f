import { machineKey } from "#lib/contract/identity.ts";
import type { PrismaClient } from "./client.ts";

/** Machine keys (enterprise/site/area/line/machine) of every machine in the asset model. */
export async function loadMachineKeys(prisma: PrismaClient): Promise<Set<string>> {
  const rows = await prisma.machine.findMany({
    select: {
      slug: true,
      line: { select: { slug: true, area: { select: { slug: true, site: { select: { slug: true, enterprise: { select: { slug: true } } } } } } } },
    },
  });
  return new Set(
    rows.map((m) =>
      machineKey({ enterprise: m.line.area.site.enterprise.slug, site: m.line.area.site.slug, area: m.line.area.slug, line: m.line.slug, machine: m.slug }),
    ),
  );
}
