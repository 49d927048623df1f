// One way to name a machine and a site. A machine is named by its ISA-95 path
// <enterprise>/<site>/<area>/<line>/<machine>; the string form of that path is its key, used in
// topics, QuestDB rows, PostgreSQL references, maps and URLs. A site is <enterprise>/<site>.
// Keys are branded strings: a MachineKey is made only here (from a path, or by parsing a string
// that was checked), so a site key or a topic cannot be passed where a machine key is expected.
// Pure: no I/O.

declare const brand: unique symbol;
export type MachineKey = string & { readonly [brand]: "MachineKey" };
export type SiteKey = string & { readonly [brand]: "SiteKey" };

/** One level of the namespace: lower-case letters, digits, '-' and '_', 1–64 characters. */
export const SEGMENT = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export interface SitePath {
  enterprise: string;
  site: string;
}

export interface AreaPath extends SitePath {
  area: string;
}

export interface LinePath extends AreaPath {
  line: string;
}

export interface MachinePath extends LinePath {
  machine: string;
}

export const MACHINE_LEVELS = ["enterprise", "site", "area", "line", "machine"] as const;

export function machineKey(p: MachinePath): MachineKey {
  return `${p.enterprise}/${p.site}/${p.area}/${p.line}/${p.machine}` as MachineKey;
}

export function siteKey(p: SitePath): SiteKey {
  return `${p.enterprise}/${p.site}` as SiteKey;
}

/** The site a machine belongs to. */
export function siteOf(key: MachineKey): SiteKey {
  return key.slice(0, key.indexOf("/", key.indexOf("/") + 1)) as SiteKey;
}

/** The path of a machine key, or the reason the string is not one. */
export function parseMachineKey(key: string): { ok: true; path: MachinePath; key: MachineKey } | { ok: false; reason: string } {
  const parts = key.split("/");
  if (parts.length !== MACHINE_LEVELS.length) {
    return { ok: false, reason: `a machine is named enterprise/site/area/line/machine (5 levels), got ${parts.length}` };
  }
  for (const [i, level] of MACHINE_LEVELS.entries()) {
    if (!SEGMENT.test(parts[i] ?? "")) return { ok: false, reason: `level ${level} "${parts[i]}" is not a valid name` };
  }
  const [enterprise, site, area, line, machine] = parts as [string, string, string, string, string];
  return { ok: true, path: { enterprise, site, area, line, machine }, key: key as MachineKey };
}

/** A machine key from a string that must be one (our own data): throws when it is not. */
export function asMachineKey(key: string): MachineKey {
  const r = parseMachineKey(key);
  if (!r.ok) throw new Error(`not a machine key: ${r.reason}`);
  return r.key;
}

/** The path of a machine key made by machineKey (no validation: the key is ours). */
export function pathOf(key: MachineKey): MachinePath {
  const [enterprise = "", site = "", area = "", line = "", machine = ""] = key.split("/");
  return { enterprise, site, area, line, machine };
}

/** The site path of a site key, or undefined when the string is not enterprise/site. */
export function parseSiteKey(key: string): SitePath | undefined {
  const parts = key.split("/");
  if (parts.length !== 2 || !parts.every((p) => SEGMENT.test(p))) return undefined;
  const [enterprise, site] = parts as [string, string];
  return { enterprise, site };
}

/** The site path of a site key made by siteKey (no validation: the key is ours). */
export function sitePathOf(key: SiteKey): SitePath {
  const [enterprise = "", site = ""] = key.split("/");
  return { enterprise, site };
}

/** A site key from a string that must be one (our own data): throws when it is not. */
export function asSiteKey(key: string): SiteKey {
  if (!parseSiteKey(key)) throw new Error(`not a site key: "${key.slice(0, 80)}"`);
  return key as SiteKey;
}

/** An area's key, enterprise/site/area, and a line's, enterprise/site/area/line: the prefixes of their machines' keys. */
export const areaKey = (p: AreaPath) => `${siteKey(p)}/${p.area}`;
export const lineKey = (p: LinePath) => `${areaKey(p)}/${p.line}`;

/** The path of an area key (enterprise/site/area), or undefined when the string is not one. */
export function parseAreaKey(key: string): AreaPath | undefined {
  const parts = key.split("/");
  if (parts.length !== 3 || !parts.every((p) => SEGMENT.test(p))) return undefined;
  const [enterprise, site, area] = parts as [string, string, string];
  return { enterprise, site, area };
}

/** The path of a line key (enterprise/site/area/line), or undefined when the string is not one. */
export function parseLineKey(key: string): LinePath | undefined {
  const parts = key.split("/");
  if (parts.length !== 4 || !parts.every((p) => SEGMENT.test(p))) return undefined;
  const [enterprise, site, area, line] = parts as [string, string, string, string];
  return { enterprise, site, area, line };
}
