import { auditFacets } from "#lib/adapters/db/admin-audit.ts";
import { type SiteKey, sitePathOf } from "#lib/contract/identity.ts";
import { auditEntries } from "#lib/features/auth/admin.ts";
import { db } from "#lib/features/dashboard/context.ts";
import { allowed } from "#lib/features/dashboard/page-auth.ts";
import { allSites } from "#lib/features/dashboard/site-list.ts";
import { Forbidden } from "../../components/forbidden.tsx";

export const dynamic = "force-dynamic";

const LIMIT = 100;
type Search = { actor?: string; action?: string; site?: string; subject?: string };

/** "at|id" of the last entry shown: the next page starts after it. */
function parseBefore(v: string | undefined): { at: Date; id: bigint } | undefined {
  const m = v ? /^(\d{4}-\d\d-\d\dT[\d:.]+Z)\|(\d{1,19})$/.exec(v) : null;
  return m?.[1] && m[2] && !Number.isNaN(Date.parse(m[1])) ? { at: new Date(m[1]), id: BigInt(m[2]) } : undefined;
}

const one = (v: string | string[] | undefined) => (typeof v === "string" && v.trim() ? v.trim().slice(0, 200) : undefined);
const when = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;

/** A details object as "key: value" pairs, short enough for a table cell. */
function summary(details: unknown): string {
  if (!details || typeof details !== "object") return "";
  const text = Object.entries(details as Record<string, unknown>)
    .map(([k, v]) => `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(" · ");
  return text.length > 220 ? `${text.slice(0, 219)}…` : text;
}

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { ok } = await allowed("/admin/audit", "admin");
  if (!ok) return <Forbidden what="the audit log" />;
  const q = await searchParams;
  const f: Search = { actor: one(q.actor), action: one(q.action), site: one(q.site), subject: one(q.subject) };
  const before = parseBefore(one(q.before));
  const [entries, facets, sites] = await Promise.all([auditEntries(db(), LIMIT, { ...f, before }), auditFacets(db()), allSites()]);
  const last = entries.at(-1);
  const older =
    entries.length === LIMIT && last
      ? `/admin/audit?${new URLSearchParams({ ...Object.fromEntries(Object.entries(f).filter(([, v]) => v)), before: `${last.at}|${last.id}` })}`
      : undefined;
  const kinds = [...new Set(facets.actions.map((a) => `${a.split(".")[0]}.`))];
  const csv = `/api/v1/admin/audit?${new URLSearchParams({ format: "csv", limit: "10000", ...Object.fromEntries(Object.entries(f).filter(([, v]) => v)) })}`;
  return (
    <>
      <h1>Audit log</h1>
      <div className="sub">
        Who did what, from where, when, with what result: sign-ins, users and tokens, asset and mapping changes, downtime reasons, commands and every answer to
        them, alerts worked. Newest first, times in UTC, {LIMIT} entries a page{before ? `, older than ${when(before.at.toISOString())}` : ""}.{" "}
        <a href={csv}>Export as CSV</a>.
      </div>
      <form className="filters card" method="get" action="/admin/audit" data-testid="audit-filters">
        <label>
          Who{" "}
          <select name="actor" defaultValue={f.actor ?? ""}>
            <option value="">anyone</option>
            {facets.actors.map((a) => (
              <option key={a}>{a}</option>
            ))}
          </select>
        </label>
        <label>
          What{" "}
          <select name="action" defaultValue={f.action ?? ""}>
            <option value="">any action</option>
            {kinds.map((k) => (
              <option key={k} value={k}>
                {k}*
              </option>
            ))}
            {facets.actions.map((a) => (
              <option key={a}>{a}</option>
            ))}
          </select>
        </label>
        <label>
          Site{" "}
          <select name="site" defaultValue={f.site ?? ""}>
            <option value="">any</option>
            {sites.map((s) => (
              <option key={s.key} value={sitePathOf(s.key as SiteKey).site}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Subject contains <input name="subject" defaultValue={f.subject ?? ""} placeholder="e.g. pump-01" />
        </label>
        <button type="submit">Show</button>
      </form>
      <div className="card">
        {entries.length === 0 ? (
          <p className="sub">No entries match.</p>
        ) : (
          <table className="reasons" data-testid="audit">
            <thead>
              <tr>
                <th>When (UTC)</th>
                <th>Who</th>
                <th>From</th>
                <th>Action</th>
                <th>Subject</th>
                <th>Result</th>
                <th>Details</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id}>
                  <td className="num">{when(e.at)}</td>
                  <td>{e.actor}</td>
                  <td>{e.origin ?? ""}</td>
                  <td>{e.action}</td>
                  <td>{e.subject}</td>
                  <td>{e.result}</td>
                  <td className="muted">{summary(e.details)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {older ? (
          <p>
            <a href={older} data-testid="audit-older">
              Older entries →
            </a>
          </p>
        ) : null}
      </div>
    </>
  );
}
