import { notFound } from "next/navigation";
import { reasonEditsByPath } from "../../../../../../../lib/oee/reasons.ts";
import { db, machines, quest } from "../../../../../../../lib/web/context.ts";
import { machineDetail } from "../../../../../../../lib/web/machine.ts";
import { allowed } from "../../../../../../../lib/web/page-auth.ts";
import { Forbidden } from "../../../../../../components/forbidden.tsx";
import { MachinePage } from "../../../../../../components/machine-page.tsx";

export const dynamic = "force-dynamic";

export default async function Machine({ params }: { params: Promise<{ enterprise: string; site: string; area: string; line: string; machine: string }> }) {
  const p = await params;
  const key = `${p.enterprise}/${p.site}`;
  const { ok } = await allowed(`/sites/${key}/${p.area}/${p.line}/${p.machine}`, "oee:read", key);
  if (!ok) return <Forbidden what={`site ${key}`} />;
  const m = (await machines()).find(
    (x) => x.enterprise === p.enterprise && x.site === p.site && x.area === p.area && x.line === p.line && x.slug === p.machine,
  );
  if (!m) notFound();
  const detail = await machineDetail(quest(), db(), m, (r) => reasonEditsByPath(db(), r), 24);
  return <MachinePage detail={detail} />;
}
