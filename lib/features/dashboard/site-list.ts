// Every site the dashboard knows: the sites of the asset model's machines (lib/features/dashboard/sites.ts), plus the
// sites that have no machine yet (a site an admin just created), with no lines. Read from PostgreSQL
// at most every 10 s per server process, like the machines (lib/features/dashboard/context.ts).
import { machines, siteRows } from "./context.ts";
import { listSites, type SiteInfo } from "./sites.ts";

/** The sites with their lines and machines, then the sites without machines. */
export async function allSites(): Promise<SiteInfo[]> {
  const [ms, rows] = await Promise.all([machines(), siteRows()]);
  const withMachines = listSites(ms);
  const known = new Set(withMachines.map((s) => s.key));
  return [...withMachines, ...rows.filter((r) => !known.has(r.key)).map((r) => ({ ...r, lines: [] }))];
}
