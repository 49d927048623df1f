// Loss-mapping versions and their machine assignments as the admin service reads and writes them.
// Rows come back in the OEE domain's shape (rules without nulls, machines with their key). Queries
// only: the rules, the conflicts and the audit details are the service's (lib/features/admin/loss-mappings.ts).
import { machineKey } from "#lib/contract/identity.ts";
import type { MappingRule } from "#lib/domain/oee/types.ts";
import { linePath } from "./admin-assets.ts";
import { type AuditEntry, audit } from "./audit.ts";
import type { PrismaClient } from "./client.ts";

type DbRule = { state: string | null; code: number | null; category: number | null; reason: string | null; loss: MappingRule["loss"] };

export const toRule = (r: DbRule): MappingRule => ({
  loss: r.loss,
  ...(r.state !== null ? { state: r.state } : {}),
  ...(r.code !== null ? { code: r.code } : {}),
  ...(r.category !== null ? { category: r.category } : {}),
  ...(r.reason !== null ? { reason: r.reason } : {}),
});

type PlacedMachine = {
  id: string;
  slug: string;
  name: string;
  lossMappingId: string | null;
  line: { slug: string; area: { slug: string; site: { slug: string; enterpriseId: string; enterprise: { slug: string } } } };
};

/** A machine with its key and its enterprise. */
const placed = (m: PlacedMachine) => {
  const { area } = m.line;
  const path = { enterprise: area.site.enterprise.slug, site: area.site.slug, area: area.slug, line: m.line.slug, machine: m.slug };
  return {
    id: m.id,
    name: m.name,
    key: machineKey(path),
    site: path.site,
    enterprise: path.enterprise,
    enterpriseId: area.site.enterpriseId,
    lossMappingId: m.lossMappingId,
  };
};

/** Every enterprise with its mappings (by name, newest version first, with rules) and every machine. */
export async function readLossMappings(db: PrismaClient) {
  const enterprises = await db.enterprise.findMany({
    orderBy: { slug: "asc" },
    include: { lossMappings: { orderBy: [{ name: "asc" }, { version: "desc" }], include: { rules: true } } },
  });
  const machines = await db.machine.findMany({ include: linePath });
  return {
    enterprises: enterprises.map((e) => ({ ...e, lossMappings: e.lossMappings.map((lm) => ({ ...lm, rules: lm.rules.map(toRule) })) })),
    machines: machines.map(placed),
  };
}

/** The latest version of an enterprise's mapping of this name, with its rules. */
export async function latestVersion(db: PrismaClient, enterpriseId: string, name: string) {
  const lm = await db.lossMapping.findFirst({ where: { enterpriseId, name }, orderBy: { version: "desc" }, include: { rules: true } });
  return lm && { ...lm, rules: lm.rules.map(toRule) };
}

export async function machinesOfEnterprise(db: PrismaClient, enterpriseId: string) {
  return (await db.machine.findMany({ where: { line: { area: { site: { enterpriseId } } } }, include: linePath })).map(placed);
}

/** Every version of every mapping of an enterprise (without rules). */
export function versionsOf(db: PrismaClient, enterpriseId: string) {
  return db.lossMapping.findMany({ where: { enterpriseId } });
}

export interface VersionRow {
  enterpriseId: string;
  name: string;
  version: number;
  microStopThresholdS: number;
  startupWindowS: number;
  createdBy: string;
  rules: readonly MappingRule[];
}

/**
 * Saves a version, its default flag, its machines and its audit row, all or nothing. Null when a
 * unique index refused it: another admin saved the same version, the same new name or another
 * default a moment earlier.
 */
export async function insertVersion(
  db: PrismaClient,
  v: VersionRow,
  o: { makeDefault: boolean; machineIds: readonly string[]; audit: AuditEntry },
): Promise<{ id: string } | null> {
  const rules = v.rules.map((r) => ({ state: r.state ?? null, code: r.code ?? null, category: r.category ?? null, reason: r.reason ?? null, loss: r.loss }));
  try {
    return await db.$transaction(async (tx) => {
      const m = await tx.lossMapping.create({ data: { ...v, isDefault: false, rules: { create: rules } } });
      if (o.makeDefault) {
        // one default per enterprise (a unique index holds it against two admins at once): the
        // machines without a mapping of their own follow it
        await tx.lossMapping.updateMany({ where: { enterpriseId: v.enterpriseId, isDefault: true }, data: { isDefault: false } });
        await tx.lossMapping.update({ where: { id: m.id }, data: { isDefault: true } });
      }
      if (o.machineIds.length) await tx.machine.updateMany({ where: { id: { in: [...o.machineIds] } }, data: { lossMappingId: m.id } });
      await audit(tx, o.audit);
      return { id: m.id };
    });
  } catch (e) {
    if ((e as { code?: string }).code === "P2002") return null;
    throw e;
  }
}

/** A machine with its key, its enterprise and the mapping version it has of its own (if any). */
export async function findMachineMapping(db: PrismaClient, machineId: string) {
  const m = await db.machine.findUnique({ where: { id: machineId }, include: { ...linePath, lossMapping: true } });
  return m && { ...placed(m), lossMapping: m.lossMapping };
}

export function findVersion(db: PrismaClient, id: string) {
  return db.lossMapping.findUnique({ where: { id } });
}

export async function assignMapping(db: PrismaClient, machineId: string, mappingId: string | null): Promise<void> {
  await db.machine.update({ where: { id: machineId }, data: { lossMappingId: mappingId } });
}
