// Loss-mapping versions for admins. A version is never changed: an edit is a new version (latest + 1)
// of the same mapping, made from the latest one. Which machines use it is an assignment (a machine's
// own mapping, else its enterprise's default), changed with the new version or one machine at a time.
// OEE already computed keeps the version that made it (every row names it) unless the admin asks for
// a recompute from a date: then those buckets are queued for the OEE worker, which computes them
// again with the mapping each machine has then. Everything is audited with before and after.

import {
  assignMapping,
  findMachineMapping,
  findVersion,
  insertVersion,
  latestVersion,
  machinesOfEnterprise,
  readLossMappings,
  versionsOf,
} from "#lib/adapters/db/admin-loss-mappings.ts";
import { enterpriseId } from "#lib/adapters/db/admin-structure.ts";
import { audit } from "#lib/adapters/db/audit.ts";
import type { PrismaClient } from "#lib/adapters/db/client.ts";
import type { Principal } from "#lib/domain/auth/policy.ts";
import { diffMappings, type MappingDraft, sortRules, versionLabel } from "#lib/domain/oee/loss-mapping-draft.ts";
import type { MappingRule } from "#lib/domain/oee/types.ts";
import { AssetError } from "./assets.ts";

/** How far back a recompute may reach: the span a downtime reason may be corrected in (lib/features/oee/reasons.ts). */
export const RECOMPUTE_MAX_DAYS = 30;
const DAY = 86_400_000;

/** Every mapping of every enterprise with all its versions (newest first), rules, diffs and machines. */
export async function listLossMappings(prisma: PrismaClient) {
  const { enterprises, machines } = await readLossMappings(prisma);
  return {
    recomputeMaxDays: RECOMPUTE_MAX_DAYS,
    enterprises: enterprises.map((e) => {
      const mine = machines.filter((m) => m.enterprise === e.slug).sort((a, b) => a.key.localeCompare(b.key));
      const label = new Map(e.lossMappings.map((lm) => [lm.id, versionLabel(lm)]));
      const fallback = e.lossMappings.filter((lm) => lm.isDefault).sort((a, b) => b.version - a.version)[0];
      const names = [...new Set(e.lossMappings.map((lm) => lm.name))];
      return {
        slug: e.slug,
        name: e.name,
        default: fallback ? versionLabel(fallback) : null,
        machines: mine.map((m) => ({
          id: m.id,
          key: m.key as string,
          name: m.name,
          mappingId: m.lossMappingId,
          /** the version the OEE jobs use for it now */
          uses: (m.lossMappingId ? label.get(m.lossMappingId) : undefined) ?? (fallback ? `${versionLabel(fallback)} (default)` : "built-in default"),
        })),
        mappings: names.map((name) => {
          const versions = e.lossMappings.filter((lm) => lm.name === name);
          return {
            name,
            versions: versions.map((v, i) => {
              const rules = sortRules(v.rules);
              const prev = versions[i + 1];
              return {
                id: v.id,
                version: v.version,
                label: versionLabel(v),
                isDefault: v.isDefault,
                microStopThresholdS: v.microStopThresholdS,
                startupWindowS: v.startupWindowS,
                createdAt: v.createdAt.toISOString(),
                createdBy: v.createdBy,
                rules,
                machines: mine.filter((m) => m.lossMappingId === v.id).map((m) => m.key as string),
                diff: prev ? { from: prev.version, ...diffMappings(prev, { ...v, rules }) } : null,
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
  /** Machine keys that use the new version from now on (others keep theirs). */
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
  const entId = await enterpriseId(prisma, input.enterprise);
  if (!entId) throw new AssetError("not_found", `no enterprise ${input.enterprise}`);
  const latest = await latestVersion(prisma, entId, input.name);
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
  const machines = (await machinesOfEnterprise(prisma, entId)).filter((m) => wanted.has(m.key));
  const missing = [...wanted].filter((k) => !machines.some((m) => m.key === k));
  if (missing.length) throw new AssetError("invalid", `body.machines: not machines of ${input.enterprise}: ${missing.join(", ")}`);

  const version = (latest?.version ?? 0) + 1;
  const label = versionLabel({ name: input.name, version });
  const existing = await versionsOf(prisma, entId);
  const labels = new Map(existing.map((m) => [m.id, versionLabel(m)]));
  const defaultBefore = existing.find((m) => m.isDefault);
  const defaultLabel = defaultBefore ? versionLabel(defaultBefore) : "none";
  const recompute = input.recomputeFrom !== undefined ? { from: input.recomputeFrom, to: now } : null;
  const details = {
    ...(latest
      ? {
          basedOn: versionLabel(latest),
          diff: JSON.parse(JSON.stringify(diffMappings(latest, { ...input, rules: input.rules as MappingRule[] }))),
        }
      : {
          basedOn: "nothing: a new mapping",
          microStopThresholdS: input.microStopThresholdS,
          startupWindowS: input.startupWindowS,
          rules: JSON.parse(JSON.stringify(input.rules)),
        }),
    makeDefault: input.makeDefault,
    default: { from: defaultLabel, to: input.makeDefault ? label : defaultLabel },
    machines: Object.fromEntries(
      machines.map((x) => [x.key, { from: x.lossMappingId ? (labels.get(x.lossMappingId) ?? x.lossMappingId) : "default", to: label }]),
    ),
    recompute: recompute ? { from: new Date(recompute.from).toISOString(), to: new Date(recompute.to).toISOString() } : "none: buckets computed from now on",
  };
  // the version, its default flag, the machines and the audit row: all or nothing
  const created = await insertVersion(
    prisma,
    {
      enterpriseId: entId,
      name: input.name,
      version,
      microStopThresholdS: input.microStopThresholdS,
      startupWindowS: input.startupWindowS,
      createdBy: actor.name,
      rules: input.rules as MappingRule[],
    },
    {
      makeDefault: input.makeDefault,
      machineIds: machines.map((x) => x.id),
      audit: { actor: actor.name, origin, action: "asset.loss-mapping.create", subject: `${input.enterprise}/${label}`, details },
    },
  );
  if (!created) {
    // a unique index: another admin saved the same version, the same new name or another default a moment earlier
    throw new AssetError(
      "conflict",
      input.basedOnVersion === 0
        ? `body.name: a mapping ${input.name} was saved by someone else a moment ago; pick another name or reload`
        : `body.basedOnVersion: someone else saved a version of ${input.name} or changed the default a moment ago; reload and edit from it`,
    );
  }

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
  const m = await findMachineMapping(prisma, machineId);
  if (!m) throw new AssetError("not_found", `no machine ${machineId}`);
  const key: string = m.key;
  let to = "default";
  if (mappingId) {
    const lm = await findVersion(prisma, mappingId);
    if (!lm || lm.enterpriseId !== m.enterpriseId) throw new AssetError("invalid", `body.lossMappingId: not a loss mapping of ${m.enterprise}`);
    to = versionLabel(lm);
  }
  await assignMapping(prisma, machineId, mappingId);
  const from = m.lossMapping ? versionLabel(m.lossMapping) : "default";
  await audit(prisma, { actor: actor.name, origin, action: "asset.machine.loss-mapping", subject: key, siteSlug: m.site, details: { from, to } });
  return { key, from, to };
}
