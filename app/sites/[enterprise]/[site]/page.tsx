import { notFound } from "next/navigation";
import { siteKey } from "#lib/contract/identity.ts";
import { can } from "#lib/domain/auth/policy.ts";
import { sharedPlantView } from "#lib/features/dashboard/context.ts";
import { allowed } from "#lib/features/dashboard/page-auth.ts";
import { Forbidden } from "../../../components/forbidden.tsx";
import { PlantBoard } from "../../../components/plant-board.tsx";

export const dynamic = "force-dynamic";

export default async function PlantPage({ params }: { params: Promise<{ enterprise: string; site: string }> }) {
  const { enterprise, site } = await params;
  const key = siteKey({ enterprise, site });
  const { principal, ok } = await allowed(`/sites/${key}`, "oee:read", key);
  if (!ok) return <Forbidden what={`site ${key}`} />;
  const view = await sharedPlantView(enterprise, site).value;
  if (!view) notFound();
  return <PlantBoard initial={view} canEditReasons={can(principal, "reasons:write", key)} />;
}
