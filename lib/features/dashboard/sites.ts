// The asset model as the dashboard shows it: sites with their lines and machines.
import type { MachineInfo } from "#lib/adapters/db/plant.ts";
import { siteKey } from "#lib/contract/identity.ts";

export interface SiteInfo {
  key: string;
  name: string;
  timeZone: string;
  lines: { key: string; name: string; machines: { key: string; name: string; idealCycleTimeS: number }[] }[];
}

export function listSites(machines: readonly MachineInfo[]): SiteInfo[] {
  const sites = new Map<string, SiteInfo>();
  for (const m of machines) {
    const key = siteKey(m.path);
    let s = sites.get(key);
    if (!s) {
      s = { key, name: m.siteName ?? m.site, timeZone: m.timeZone, lines: [] };
      sites.set(key, s);
    }
    // a line has no key type of its own (lib/contract/identity.ts): its path as enterprise/site/area/line
    const lineKey = `${key}/${m.area}/${m.line}`;
    let l = s.lines.find((x) => x.key === lineKey);
    if (!l) {
      l = { key: lineKey, name: m.lineName ?? m.line, machines: [] };
      s.lines.push(l);
    }
    l.machines.push({ key: m.key, name: m.name, idealCycleTimeS: m.idealCycleTimeS });
  }
  return [...sites.values()];
}
