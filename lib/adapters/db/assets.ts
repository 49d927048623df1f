import { machineKey } from "#lib/contract/identity.ts";
import type { PrismaClient } from "./client.ts";

/** The database id of every machine in the asset model, by its key (enterprise/site/area/line/machine). */
export async function loadMachineIds(prisma: PrismaClient): Promise<Map<string, string>> {
  const rows = await prisma.machine.findMany({
    select: {
      id: true,
      slug: true,
      line: { select: { slug: true, area: { select: { slug: true, site: { select: { slug: true, enterprise: { select: { slug: true } } } } } } } },
    },
  });
  return new Map(
    rows.map((m) => [
      machineKey({ enterprise: m.line.area.site.enterprise.slug, site: m.line.area.site.slug, area: m.line.area.slug, line: m.line.slug, machine: m.slug }),
      m.id,
    ]),
  );
}

/** Machine keys (enterprise/site/area/line/machine) of every machine in the asset model. */
export async function loadMachineKeys(prisma: PrismaClient): Promise<Set<string>> {
  return new Set((await loadMachineIds(prisma)).keys());
}
