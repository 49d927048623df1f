// Every site the dashboard knows: the sites of the asset model's machines (lib/features/dashboard/sites.ts), plus the
// sites that have no machine yet (a site an admin just created), with no lines. Read from PostgreSQL
// at most every 10 s per server process, like the machines (lib/features/dashboard/context.ts).
import { machines, siteRows } from "./context.ts";
import { listSites, type SiteInfo } from "./sites.ts";

// the list made from the asset model last read (it is read again at most every 10 s): every request asks
let last: { ms: unknown; rows: unknown; sites: SiteInfo[] } | undefined;

/** The sites with their lines and machines, then the sites without machines. */
export async function allSites(): Promise<SiteInfo[]> {
  const [ms, rows] = await Promise.all([machines(), siteRows()]);
  if (last?.ms === ms && last.rows === rows) return last.sites;
  const withMachines = listSites(ms);
  const known = new Set(withMachines.map((s) => s.key));
  const sites = [...withMachines, ...rows.filter((r) => !known.has(r.key)).map((r) => ({ ...r, lines: [] }))];
  last = { ms, rows, sites };
  return sites;
}
