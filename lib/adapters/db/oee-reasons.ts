// Downtime reasons assigned after the fact (table ReasonEdit): saved with their audit record in one
// transaction, and read back per machine for the OEE core. Edits are never changed: a later one wins.
import { type MachineKey, type MachinePath, machineKey } from "#lib/contract/identity.ts";
import type { Interval, ReasonEdit } from "#lib/domain/oee/types.ts";
import { type AuditEntry, audit } from "./audit.ts";
import type { PrismaClient } from "./client.ts";

/** The database id of the machine at this path, or undefined when there is none. */
export async function machineIdAt(prisma: PrismaClient, p: MachinePath): Promise<string | undefined> {
  const row = await prisma.machine.findFirst({
    where: { slug: p.machine, line: { slug: p.line, area: { slug: p.area, site: { slug: p.site, enterprise: { slug: p.enterprise } } } } },
    select: { id: true },
  });
  return row?.id;
}

export interface NewReasonEdit {
  start: number;
  end: number;
  reason: string;
}

/** Saves the edits of one machine (one "assign", or the two parts of a "split") and their audit record; returns their ids. */
export async function saveReasonEdits(
  prisma: PrismaClient,
  o: { machineId: string; kind: "assign" | "split"; createdBy: string; note?: string | undefined; edits: readonly NewReasonEdit[]; audit: AuditEntry },
): Promise<string[]> {
  return prisma.$transaction(async (tx) => {
    const ids: string[] = [];
    for (const e of o.edits) {
      const row = await tx.reasonEdit.create({
        data: {
          machineId: o.machineId,
          start: new Date(e.start),
          end: new Date(e.end),
          reason: e.reason,
          ...(o.note ? { note: o.note } : {}),
          kind: o.kind,
          createdBy: o.createdBy,
        },
      });
      ids.push(row.id);
    }
    await audit(tx, o.audit);
    return ids;
  });
}

/**
 * The edits overlapping the range, per machine key, oldest first (a later one wins); only one site's
 * when given. One query with its joins (the plant board asks on every refresh).
 */
export async function reasonEditsByPath(
  prisma: PrismaClient,
  range: Interval,
  only?: { enterprise: string; site: string },
): Promise<Map<string, ReasonEdit[]>> {
  const from = new Date(range.start);
  const to = new Date(range.end);
  type EditRow = { enterprise: string; site: string; area: string; line: string; machine: string; start: Date; end: Date; reason: string };
  const rows = only
    ? await prisma.$queryRaw<EditRow[]>`
      SELECT e.slug AS enterprise, s.slug AS site, a.slug AS area, l.slug AS line, m.slug AS machine, r."start", r."end", r.reason
      FROM "ReasonEdit" r JOIN "Machine" m ON m.id = r."machineId" JOIN "Line" l ON l.id = m."lineId" JOIN "Area" a ON a.id = l."areaId"
        JOIN "Site" s ON s.id = a."siteId" JOIN "Enterprise" e ON e.id = s."enterpriseId"
      WHERE r."start" < ${to} AND r."end" > ${from} AND s.slug = ${only.site} AND e.slug = ${only.enterprise}
      ORDER BY r."createdAt", r.id`
    : await prisma.$queryRaw<EditRow[]>`
      SELECT e.slug AS enterprise, s.slug AS site, a.slug AS area, l.slug AS line, m.slug AS machine, r."start", r."end", r.reason
      FROM "ReasonEdit" r JOIN "Machine" m ON m.id = r."machineId" JOIN "Line" l ON l.id = m."lineId" JOIN "Area" a ON a.id = l."areaId"
        JOIN "Site" s ON s.id = a."siteId" JOIN "Enterprise" e ON e.id = s."enterpriseId"
      WHERE r."start" < ${to} AND r."end" > ${from}
      ORDER BY r."createdAt", r.id`;
  const out = new Map<MachineKey, ReasonEdit[]>();
  for (const r of rows) {
    const key = machineKey(r);
    const list = out.get(key) ?? [];
    list.push({ start: new Date(r.start).getTime(), end: new Date(r.end).getTime(), reason: r.reason });
    out.set(key, list);
  }
  return out;
}

/** The intervals of the edits saved after `sinceMs` (at most 10 000), with their machine. */
export async function reasonEditsSavedSince(prisma: PrismaClient, sinceMs: number): Promise<(Interval & { machine: MachinePath })[]> {
  const rows = await prisma.reasonEdit.findMany({
    where: { createdAt: { gt: new Date(sinceMs) } },
    select: {
      start: true,
      end: true,
      machine: {
        select: {
          slug: true,
          line: { select: { slug: true, area: { select: { slug: true, site: { select: { slug: true, enterprise: { select: { slug: true } } } } } } } },
        },
      },
    },
    take: 10_000,
  });
  return rows.map((e) => {
    const l = e.machine.line;
    const machine = { enterprise: l.area.site.enterprise.slug, site: l.area.site.slug, area: l.area.slug, line: l.slug, machine: e.machine.slug };
    return { start: e.start.getTime(), end: e.end.getTime(), machine };
  });
}
