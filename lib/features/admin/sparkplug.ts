// The admins' Sparkplug B mapping: checked (a machine of the asset model, a field the channel has) and audited.
import { loadMachineKeys } from "#lib/adapters/db/assets.ts";
import { audit } from "#lib/adapters/db/audit.ts";
import type { PrismaClient } from "#lib/adapters/db/client.ts";
import { deleteSparkplugMapping, listSparkplugMappings, putSparkplugMapping, type SparkplugMappingRow } from "#lib/adapters/db/sparkplug-mappings.ts";
import type { Principal } from "#lib/domain/auth/policy.ts";
import { mappingProblem } from "#lib/features/ingest/sparkplug-mapping.ts";
import { AssetError } from "./assets.ts";

const subject = (m: Pick<SparkplugMappingRow, "group" | "edgeNode" | "device" | "metric">) =>
  `spBv1.0/${m.group}/${m.edgeNode}${m.device ? `/${m.device}` : ""}: ${m.metric}`;

export const sparkplugMappings = async (prisma: PrismaClient) => ({ mappings: await listSparkplugMappings(prisma) });

export async function setSparkplugMapping(prisma: PrismaClient, actor: Principal, origin: string | undefined, m: SparkplugMappingRow): Promise<void> {
  const problem = mappingProblem(m);
  if (problem) throw new AssetError("invalid", `body: ${problem}`);
  if (!(await loadMachineKeys(prisma)).has(m.machine)) throw new AssetError("invalid", `body.machine: no machine ${m.machine} in the asset model`);
  await putSparkplugMapping(prisma, m, actor.name);
  const siteSlug = m.machine.split("/")[1] ?? null;
  await audit(prisma, { actor: actor.name, origin, action: "sparkplug.mapping.set", subject: subject(m), siteSlug, details: { ...m } });
}

export async function removeSparkplugMapping(
  prisma: PrismaClient,
  actor: Principal,
  origin: string | undefined,
  k: Pick<SparkplugMappingRow, "group" | "edgeNode" | "device" | "metric">,
): Promise<void> {
  if (!(await deleteSparkplugMapping(prisma, k))) throw new AssetError("not_found", `no mapping for ${subject(k)}`);
  await audit(prisma, { actor: actor.name, origin, action: "sparkplug.mapping.remove", subject: subject(k), details: { ...k } });
}
