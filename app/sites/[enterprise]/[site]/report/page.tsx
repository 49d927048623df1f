import { notFound } from "next/navigation";
import { siteKey } from "#lib/contract/identity.ts";
import { can } from "#lib/domain/auth/policy.ts";
import { reportFor } from "#lib/features/dashboard/context.ts";
import { allowed } from "#lib/features/dashboard/page-auth.ts";
import { type ReportAsk, UnknownPeriod } from "#lib/features/dashboard/shift-report.ts";
import { Forbidden } from "../../../../components/forbidden.tsx";
import { ShiftReportView } from "../../../../components/shift-report.tsx";

export const dynamic = "force-dynamic";

/** `?p=shift:ISO` or `?p=day:YYYY-MM-DD` (the period picker), or `?shift=ISO` / `?day=YYYY-MM-DD` as in the API. */
function askOf(q: Record<string, string | string[] | undefined>): ReportAsk {
  const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  const p = one(q.p);
  if (p?.startsWith("shift:")) return { shift: p.slice(6) };
  if (p?.startsWith("day:")) return { day: p.slice(4) };
  const shift = one(q.shift);
  const day = one(q.day);
  return shift ? { shift } : day ? { day } : {};
}

export default async function ReportPage({
  params,
  searchParams,
}: {
  params: Promise<{ enterprise: string; site: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { enterprise, site } = await params;
  const key = siteKey({ enterprise, site });
  const { principal, ok } = await allowed(`/sites/${key}/report`, "oee:read", key);
  if (!ok) return <Forbidden what={`the reports of site ${key}`} />;
  const ask = askOf(await searchParams);
  try {
    const report = await reportFor({ enterprise, site }, ask, { alerts: can(principal, "alerts:read", key), commands: can(principal, "commands:read", key) });
    if (!report) notFound();
    return <ShiftReportView report={report} />;
  } catch (e) {
    if (!(e instanceof UnknownPeriod)) throw e;
    return (
      <div className="empty" data-testid="report-unknown-period">
        <h2>No such period</h2>
        <p>
          {e.message}. Reports cover the shifts and days of the last 7 days: <a href={`/sites/${key}/report`}>the last complete shift</a>.
        </p>
      </div>
    );
  }
}
