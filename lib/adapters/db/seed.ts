// Writes a plant file into PostgreSQL. Idempotent: running it twice changes nothing.
import { writeShifts } from "./admin-assets.ts";
import type { PrismaClient } from "./client.ts";
import type { PlantFile } from "./plant.ts";

export async function seedPlant(prisma: PrismaClient, plant: PlantFile): Promise<{ machines: number }> {
  let machines = 0;
  await prisma.$transaction(
    async (tx) => {
      const ent = await tx.enterprise.upsert({
        where: { slug: plant.enterprise.slug },
        create: { slug: plant.enterprise.slug, name: plant.enterprise.name },
        update: { name: plant.enterprise.name },
      });
      const lm = plant.lossMapping;
      const existing = await tx.lossMapping.findUnique({
        where: { enterpriseId_name_version: { enterpriseId: ent.id, name: lm.name, version: lm.version } },
      });
      // Mapping versions are immutable: an existing version is left exactly as it is. A new one
      // becomes the enterprise's default (there is one default per enterprise).
      if (!existing) await tx.lossMapping.updateMany({ where: { enterpriseId: ent.id, isDefault: true }, data: { isDefault: false } });
      const mapping =
        existing ??
        (await tx.lossMapping.create({
          data: {
            enterpriseId: ent.id,
            name: lm.name,
            version: lm.version,
            microStopThresholdS: lm.microStopThresholdS,
            startupWindowS: lm.startupWindowS ?? 0,
            isDefault: true,
            createdBy: "seed",
            rules: { create: lm.rules },
          },
        }));
      for (const s of plant.sites) {
        const site = await tx.site.upsert({
          where: { enterpriseId_slug: { enterpriseId: ent.id, slug: s.slug } },
          create: { enterpriseId: ent.id, slug: s.slug, name: s.name, timeZone: s.timeZone },
          update: { name: s.name, timeZone: s.timeZone },
        });
        const calendarIds = new Map<string, string>();
        for (const c of s.calendars) {
          const cal = await tx.shiftCalendar.upsert({
            where: { siteId_name: { siteId: site.id, name: c.name } },
            create: { siteId: site.id, name: c.name },
            update: {},
          });
          calendarIds.set(c.name, cal.id);
          await writeShifts(tx, cal.id, c.shifts);
        }
        for (const a of s.areas) {
          const area = await tx.area.upsert({
            where: { siteId_slug: { siteId: site.id, slug: a.slug } },
            create: { siteId: site.id, slug: a.slug, name: a.name },
            update: { name: a.name },
          });
          for (const l of a.lines) {
            const shiftCalendarId = l.calendar ? (calendarIds.get(l.calendar) ?? null) : null;
            if (l.calendar && !shiftCalendarId) throw new Error(`line ${s.slug}/${a.slug}/${l.slug}: unknown calendar "${l.calendar}"`);
            const line = await tx.line.upsert({
              where: { areaId_slug: { areaId: area.id, slug: l.slug } },
              create: { areaId: area.id, slug: l.slug, name: l.name, shiftCalendarId },
              update: { name: l.name, shiftCalendarId },
            });
            for (const m of l.machines) {
              const data = { ...m, lossMappingId: mapping.id };
              await tx.machine.upsert({
                where: { lineId_slug: { lineId: line.id, slug: m.slug } },
                create: { lineId: line.id, ...data },
                update: data,
              });
              machines++;
            }
          }
        }
      }
    },
    { timeout: 60_000 },
  );
  return { machines };
}

/** How many machines the asset model has (0: a fresh database the demo plant may be seeded into). */
export function machineCount(prisma: PrismaClient): Promise<number> {
  return prisma.machine.count();
}
