// Loss-mapping versions for admins. A version is never changed: an edit is a new version (latest + 1)
// of the same mapping, made from the latest one. Which machines use it is an assignment (a machine's
// own mapping, else its enterprise's default), changed with the new version or one machine at a time.
// OEE already computed keeps the version that made it (every row names it) unless the admin asks for
// a recompute from a date: then those buckets are queued for the OEE worker, which computes them
// again with the mapping each machine has then. Everything is audited with before and after.

import type { PrismaClient } from "#lib/adapters/db/client.ts";
import type { Principal } from "#lib/domain/auth/policy.ts";
import { diffMappings, type MappingDraft, sortRules } from "#lib/domain/oee/loss-mapping-draft.ts";
import type { LossMapping, MappingRule } from "#lib/domain/oee/types.ts";
import { AssetError } from "./assets.ts";

/** How far back a recompute may reach: the span a downtime reason may be corrected in (lib/features/oee/reasons.ts). */
export const RECOMPUTE_MAX_DAYS = 30;
const DAY = 86_400_000;

type DbRule = { state: string | null; code: number | null; category: number | null; reason: string | null; loss: MappingRule["loss"] };
const toRule = (r: DbRule): MappingRule => ({
  loss: r.loss,
  ...(r.state !== null ? { state: r.state } : {}),
  ...(r.code !== null ? { code: r.code } : {}),
  ...(r.category !== null ? { category: r.category } : {}),
  ...(r.reason !== null ? { reason: r.reason } : {}),
});

const machineKey = (m: { slug: string; line: { slug: string; area: { slug: string; site: { slug: string; enterprise: { slug: string } } } } }) =>
  `${m.line.area.site.enterprise.slug}/${m.line.area.site.slug}/${m.line.area.slug}/${m.line.slug}/${m.slug}`;
const machinePath = { line: { include: { area: { include: { site: { include: { enterprise: true } } } } } } } as const;

/** Every mapping of every enterprise with all its versions (newest first), rules, diffs and machines. */
export async function listLossMappings(prisma: PrismaClient) {
  const enterprises = await prisma.enterprise.findMany({
    orderBy: { slug: "asc" },
    include: { lossMappings: { orderBy: [{ name: "asc" }, { version: "desc" }], include: { rules: true } } },
  });
  const machines = await prisma.machine.findMany({ include: machinePath });
  return {
    recomputeMaxDays: RECOMPUTE_MAX_DAYS,
    enterprises: enterprises.map((e) => {
      const mine = machines.filter((m) => m.line.area.site.enterprise.slug === e.slug).sort((a, b) => machineKey(a).localeCompare(machineKey(b)));
      const label = new Map(e.lossMappings.map((lm) => [lm.id, `${lm.name}@v${lm.version}`]));
      const fallback = e.lossMappings.filter((lm) => lm.isDefault).sort((a, b) => b.version - a.version)[0];
      const names = [...new Set(e.lossMappings.map((lm) => lm.name))];
      return {
        slug: e.slug,
        name: e.name,
        default: fallback ? `${fallback.name}@v${fallback.version}` : null,
        machines: mine.map((m) => ({
          id: m.id,
          key: machineKey(m),
          name: m.name,
          mappingId: m.lossMappingId,
          /** the version the OEE jobs use for it now */
          uses:
            (m.lossMappingId ? label.get(m.lossMappingId) : undefined) ?? (fallback ? `${fallback.name}@v${fallback.version} (default)` : "built-in default"),
        })),
        mappings: names.map((name) => {
          const versions = e.lossMappings.filter((lm) => lm.name === name);
          return {
            name,
            versions: versions.map((v, i) => {
              const rules = sortRules(v.rules.map(toRule));
              const prev = versions[i + 1];
              return {
                id: v.id,
                version: v.version,
                label: `${name}@v${v.version}`,
                isDefault: v.isDefault,
                microStopThresholdS: v.microStopThresholdS,
                startupWindowS: v.startupWindowS,
                createdAt: v.createdAt.toISOString(),
                createdBy: v.createdBy,
                rules,
                machines: mine.filter((m) => m.lossMappingId === v.id).map(machineKey),
                diff: prev ? { from: prev.version, ...diffMappings({ ...prev, rules: prev.rules.map(toRule) }, { ...v, rules }) } : null,
              };
            }),
          };
        }),
      };
    }),
  };
}

export interface NewVersion extends MappingDraft {
  enterprise: string;
  name: string;
  /** The version the draft was made from: it must still be the latest (else someone else saved one meanwhile); 0: a new mapping of this name. */
  basedOnVersion: number;
  makeDefault: boolean;
  /** Machine paths that use the new version from now on (others keep theirs). */
  machines: string[];
  /** Recompute OEE from this instant (epoch ms) to now with the mappings then assigned; absent: only buckets computed from now on. */
  recomputeFrom?: number | undefined;
}

export interface NewVersionResult {
  id: string;
  label: string;
  /** the recompute queued; `error` when queuing failed part-way (the version is saved all the same) */
  recompute: { from: string; to: string; jobs: number; error?: string } | null;
}

/**
 * Creates `name@v(latest+1)` in one transaction (the version, its rules, the default flag, the
 * machine assignments), audits it with the diff and the assignments before and after, then queues
 * the recompute asked for (one job per day, so a long range is retried piece by piece).
 */
export async function createLossMappingVersion(
  deps: { prisma: PrismaClient; recompute: (ranges: { from: number; to: number }[], why: string, enterprise: string) => Promise<void>; now?: () => number },
  actor: Principal,
  origin: string | undefined,
  input: NewVersion,
): Promise<NewVersionResult> {
  const { prisma } = deps;
  const now = (deps.now ?? Date.now)();
  const ent = await prisma.enterprise.findUnique({ where: { slug: input.enterprise } });
  if (!ent) throw new AssetError("not_found", `no enterprise ${input.enterprise}`);
  const latest = await prisma.lossMapping.findFirst({
    where: { enterpriseId: ent.id, name: input.name },
    orderBy: { version: "desc" },
    include: { rules: true },
  });
  if (input.basedOnVersion === 0) {
    // a new mapping of this name, starting at v1 with the draft's rules
    if (latest) {
      throw new AssetError(
        "conflict",
        `body.name: ${input.enterprise} already has a mapping ${input.name} (v${latest.version}); save a new version of it or pick another name`,
      );
    }
  } else if (!latest) throw new AssetError("not_found", `no loss mapping ${input.name} in ${input.enterprise}`);
  else if (latest.version !== input.basedOnVersion) {
    throw new AssetError(
      "conflict",
      `body.basedOnVersion: ${input.name}@v${latest.version} was saved${latest.createdBy ? ` by ${latest.createdBy}` : ""} since you started from v${input.basedOnVersion}; reload and edit from it`,
    );
  }
  if (input.recomputeFrom !== undefined && (input.recomputeFrom < now - RECOMPUTE_MAX_DAYS * DAY || input.recomputeFrom >= now)) {
    throw new AssetError("invalid", `body.recomputeFrom: must be within the last ${RECOMPUTE_MAX_DAYS} days and before now`);
  }
  const wanted = new Set(input.machines);
  const machines = (await prisma.machine.findMany({ where: { line: { area: { site: { enterpriseId: ent.id } } } }, include: machinePath })).filter((m) =>
    wanted.has(machineKey(m)),
  );
  const missing = [...wanted].filter((k) => !machines.some((m) => machineKey(m) === k));
  if (missing.length) throw new AssetError("invalid", `body.machines: not machines of ${input.enterprise}: ${missing.join(", ")}`);

  const version = (latest?.version ?? 0) + 1;
  const label = `${input.name}@v${version}`;
  const rules = input.rules.map((r) => ({
    state: r.state ?? null,
    code: r.code ?? null,
    category: r.category ?? null,
    reason: r.reason ?? null,
    loss: r.loss,
  }));
  const existing = await prisma.lossMapping.findMany({ where: { enterpriseId: ent.id } });
  const labels = new Map(existing.map((m) => [m.id, `${m.name}@v${m.version}`]));
  const defaultBefore = existing.find((m) => m.isDefault);
  const prev: LossMapping | undefined = latest ? { ...latest, rules: latest.rules.map(toRule) } : undefined;
  const recompute = input.recomputeFrom !== undefined ? { from: input.recomputeFrom, to: now } : null;
  // the version, its default flag, the machines and the audit row: all or nothing
  const created = await prisma
    .$transaction(async (tx) => {
      const m = await tx.lossMapping.create({
        data: {
          enterpriseId: ent.id,
          name: input.name,
          version,
          microStopThresholdS: input.microStopThresholdS,
          startupWindowS: input.startupWindowS,
          isDefault: false,
          createdBy: actor.name,
          rules: { create: rules },
        },
      });
      if (input.makeDefault) {
        // one default per enterprise (a unique index holds it against two admins at once): the
        // machines without a mapping of their own follow it
        await tx.lossMapping.updateMany({ where: { enterpriseId: ent.id, isDefault: true }, data: { isDefault: false } });
        await tx.lossMapping.update({ where: { id: m.id }, data: { isDefault: true } });
      }
      if (machines.length) await tx.machine.updateMany({ where: { id: { in: machines.map((x) => x.id) } }, data: { lossMappingId: m.id } });
      await tx.auditLog.create({
        data: {
          actor: actor.name,
          ...(origin ? { origin } : {}),
          action: "asset.loss-mapping.create",
          subject: `${input.enterprise}/${label}`,
          result: "ok",
          details: {
            ...(prev
              ? {
                  basedOn: `${input.name}@v${prev.version}`,
                  diff: JSON.parse(JSON.stringify(diffMappings(prev, { ...input, rules: input.rules as MappingRule[] }))),
                }
              : {
                  basedOn: "nothing: a new mapping",
                  microStopThresholdS: input.microStopThresholdS,
                  startupWindowS: input.startupWindowS,
                  rules: JSON.parse(JSON.stringify(input.rules)),
                }),
            makeDefault: input.makeDefault,
            default: {
              from: defaultBefore ? `${defaultBefore.name}@v${defaultBefore.version}` : "none",
              to: input.makeDefault ? label : defaultBefore ? `${defaultBefore.name}@v${defaultBefore.version}` : "none",
            },
            machines: Object.fromEntries(
              machines.map((x) => [machineKey(x), { from: x.lossMappingId ? (labels.get(x.lossMappingId) ?? x.lossMappingId) : "default", to: label }]),
            ),
            recompute: recompute
              ? { from: new Date(recompute.from).toISOString(), to: new Date(recompute.to).toISOString() }
              : "none: buckets computed from now on",
          },
        },
      });
      return m;
    })
    .catch((e: { code?: string }) => {
      // a unique index: another admin saved the same version, the same new name or another default a moment earlier
      if (e.code === "P2002") {
        throw new AssetError(
          "conflict",
          input.basedOnVersion === 0
            ? `body.name: a mapping ${input.name} was saved by someone else a moment ago; pick another name or reload`
            : `body.basedOnVersion: someone else saved a version of ${input.name} or changed the default a moment ago; reload and edit from it`,
        );
      }
      throw e;
    });

  if (!recompute) return { id: created.id, label, recompute: null };
  const days: { from: number; to: number }[] = [];
  for (let t = recompute.from; t < recompute.to; t += DAY) days.push({ from: t, to: Math.min(t + DAY, recompute.to) });
  const range = { from: new Date(recompute.from).toISOString(), to: new Date(recompute.to).toISOString() };
  let queued = 0;
  try {
    for (const d of days) {
      await deps.recompute([d], `loss mapping ${input.enterprise}/${label}`, input.enterprise);
      queued++;
    }
  } catch (e) {
    // the version is saved either way: say so, and which days were not queued
    return {
      id: created.id,
      label,
      recompute: { ...range, jobs: queued, error: `queuing the recompute failed after ${queued} of ${days.length} days: ${(e as Error).message}` },
    };
  }
  return { id: created.id, label, recompute: { ...range, jobs: days.length } };
}

/** Gives one machine a mapping version of its enterprise, or (null) lets it follow the enterprise default. */
export async function setMachineLossMapping(prisma: PrismaClient, actor: Principal, origin: string | undefined, machineId: string, mappingId: string | null) {
  const m = await prisma.machine.findUnique({ where: { id: machineId }, include: { ...machinePath, lossMapping: true } });
  if (!m) throw new AssetError("not_found", `no machine ${machineId}`);
  const key = machineKey(m);
  let to = "default";
  if (mappingId) {
    const lm = await prisma.lossMapping.findUnique({ where: { id: mappingId } });
    if (!lm || lm.enterpriseId !== m.line.area.site.enterpriseId)
      throw new AssetError("invalid", `body.lossMappingId: not a loss mapping of ${m.line.area.site.enterprise.slug}`);
    to = `${lm.name}@v${lm.version}`;
  }
  await prisma.machine.update({ where: { id: machineId }, data: { lossMappingId: mappingId } });
  const from = m.lossMapping ? `${m.lossMapping.name}@v${m.lossMapping.version}` : "default";
  await prisma.auditLog.create({
    data: {
      actor: actor.name,
      ...(origin ? { origin } : {}),
      action: "asset.machine.loss-mapping",
      subject: key,
      siteSlug: key.split("/")[1] ?? null,
      result: "ok",
      details: { from, to },
    },
  });
  return { key, from, to };
}
