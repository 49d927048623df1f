// Every site the dashboard knows: the sites of the asset model's machines (lib/web/sites.ts), plus the
// sites that have no machine yet (a site an admin just created), with no lines. Read from PostgreSQL
// at most every 10 s per server process, like the machines (lib/web/context.ts).
import { db, machines } from "./context.ts";
import { listSites, type SiteInfo } from "./sites.ts";

const g = globalThis as unknown as { __andonSiteRows?: { at: number; value: Promise<{ key: string; name: string; timeZone: string }[]> } };
const TTL_MS = 10_000;

function siteRows() {
  const now = Date.now();
  if (!g.__andonSiteRows || now - g.__andonSiteRows.at > TTL_MS) {
    const value = db()
      .site.findMany({ include: { enterprise: true }, orderBy: [{ enterprise: { slug: "asc" } }, { slug: "asc" }] })
      .then((rows) => rows.map((s) => ({ key: `${s.enterprise.slug}/${s.slug}`, name: s.name, timeZone: s.timeZone })));
    g.__andonSiteRows = { at: now, value };
    value.catch(() => {
      if (g.__andonSiteRows?.value === value) g.__andonSiteRows = undefined;
    });
  }
  return g.__andonSiteRows.value;
}

/** The sites with their lines and machines, then the sites without machines. */
export async function allSites(): Promise<SiteInfo[]> {
  const [ms, rows] = await Promise.all([machines(), siteRows()]);
  const withMachines = listSites(ms);
  const known = new Set(withMachines.map((s) => s.key));
  return [...withMachines, ...rows.filter((r) => !known.has(r.key)).map((r) => ({ ...r, lines: [] }))];
}
