// The layers of docs/architecture.md, checked on every import of every source file: who may import
// whom, which npm packages each layer may use, no cycle between feature folders, and no source file
// over 300 lines. A new import that breaks a rule fails here with the file, the import and the rule.
import { readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, normalize } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "#lib/platform/config.ts";

type Layer = "domain" | "contract" | "platform" | "adapters" | "features" | "dev" | "workers" | "app" | "scripts";

/** Which layers each layer may import (its own included). */
const MAY_IMPORT: Record<Layer, readonly Layer[]> = {
  domain: ["domain"],
  contract: ["contract", "domain"],
  platform: ["platform", "contract", "domain"],
  adapters: ["adapters", "platform", "contract", "domain"],
  features: ["features", "adapters", "platform", "contract", "domain"],
  dev: ["dev", "features", "adapters", "platform", "contract", "domain"],
  workers: ["features", "adapters", "platform", "contract", "domain"],
  app: ["features", "adapters", "platform", "contract", "domain", "app"],
  scripts: ["scripts", "workers", "dev", "features", "adapters", "platform", "contract", "domain"],
};

/** npm packages a pure layer may use (everything else there would be I/O or a framework). */
const PURE_PACKAGES: Partial<Record<Layer, readonly string[]>> = {
  domain: ["zod", "simple-statistics", "fft.js"],
  // @bufbuild/protobuf: the Sparkplug B payload codec (lib/contract/sparkplug.ts), pure encoding and decoding
  contract: ["zod", "@bufbuild/protobuf"],
};

/** Packages only one adapter folder may import: the one place that speaks to that system. */
const OWNED_PACKAGES: Record<string, string> = {
  "@prisma/client": "lib/adapters/db/",
  "@prisma/adapter-pg": "lib/adapters/db/",
  "@questdb/nodejs-client": "lib/adapters/questdb/",
};

const SOURCE = /\.(ts|tsx|mts|mjs)$/;
const SKIP = new Set(["node_modules", ".next", ".andon", "generated", ".git"]);

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(repoRoot, dir), { withFileTypes: true })) {
    if (SKIP.has(e.name)) continue;
    const p = `${dir}/${e.name}`;
    if (e.isDirectory()) out.push(...sources(p));
    else if (SOURCE.test(e.name)) out.push(p);
  }
  return out;
}

function layerOf(file: string): Layer | undefined {
  const [top, second] = file.split("/");
  if (top === "lib") return (["domain", "contract", "platform", "adapters", "features", "dev"] as const).find((l) => l === second);
  if (top === "workers" || top === "app" || top === "scripts") return top;
  return undefined;
}

const SPECIFIER =
  /(?:^|[\s;])(?:import|export)\s[^"'`;]*?from\s*["']([^"']+)["']|(?:^|[\s;(])import\s*\(\s*["']([^"']+)["']\s*\)|^\s*import\s*["']([^"']+)["']/gm;

interface Edge {
  from: string;
  spec: string;
  /** repository path of a file of this repository, or undefined for a package */
  to?: string;
  pkg?: string;
}

function importsOf(file: string): Edge[] {
  const text = readFileSync(join(repoRoot, file), "utf8");
  const out: Edge[] = [];
  for (const m of text.matchAll(SPECIFIER)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (!spec) continue;
    if (spec.startsWith("#lib/")) out.push({ from: file, spec, to: `lib/${spec.slice(5)}` });
    else if (spec.startsWith(".")) out.push({ from: file, spec, to: normalize(join(dirname(file), spec)) });
    else if (spec.startsWith("node:") || builtinModules.includes(spec)) out.push({ from: file, spec, pkg: "node:" });
    else out.push({ from: file, spec, pkg: spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : (spec.split("/")[0] ?? spec) });
  }
  return out;
}

const files = ["lib", "workers", "app", "scripts"].flatMap(sources);
const edges = files.flatMap(importsOf);

describe("architecture: the layers of docs/architecture.md", () => {
  it("finds the source files and their imports (the checks below see the whole tree)", () => {
    expect(files.length).toBeGreaterThan(150);
    expect(edges.filter((e) => e.to).length).toBeGreaterThan(500);
  });

  it("every file of lib/ is in a layer", () => {
    expect(files.filter((f) => f.startsWith("lib/") && !layerOf(f))).toEqual([]);
  });

  it("imports go only to the layers a layer may use", () => {
    const broken = edges
      .filter((e) => e.to)
      .flatMap((e) => {
        const from = layerOf(e.from);
        const to = layerOf(e.to ?? "");
        if (!from) return [];
        if (!to) return e.to?.startsWith("lib/adapters/db/generated") || !e.to?.startsWith("lib/") ? [] : [`${e.from} -> ${e.spec}: outside every layer`];
        return MAY_IMPORT[from].includes(to) ? [] : [`${e.from} -> ${e.spec}: ${from} may not import ${to}`];
      });
    expect(broken).toEqual([]);
  });

  it("the domain and the contract are pure: no I/O, no framework, only the packages they are allowed", () => {
    const broken = edges.flatMap((e) => {
      const allowed = PURE_PACKAGES[layerOf(e.from) ?? "app"];
      if (!allowed || !e.pkg) return [];
      return allowed.includes(e.pkg) ? [] : [`${e.from} -> ${e.spec}`];
    });
    expect(broken).toEqual([]);
  });

  it("one adapter speaks to each system: Prisma only in lib/adapters/db, the QuestDB client only in lib/adapters/questdb", () => {
    const broken = edges.flatMap((e) => {
      const owner = e.pkg ? OWNED_PACKAGES[e.pkg] : e.to?.startsWith("lib/adapters/db/generated") ? "lib/adapters/db/" : undefined;
      return owner && !e.from.startsWith(owner) ? [`${e.from} -> ${e.spec} (belongs to ${owner})`] : [];
    });
    expect(broken).toEqual([]);
  });

  it("every database call is in an adapter: Prisma model calls only in lib/adapters/db, SQL only in lib/adapters (and the benchmarks' checks)", () => {
    const models = [...readFileSync(join(repoRoot, "prisma", "schema.prisma"), "utf8").matchAll(/^model (\w+) /gm)].map((m) => {
      const name = m[1] ?? "";
      return name.charAt(0).toLowerCase() + name.slice(1);
    });
    expect(models).toContain("auditLog");
    const prismaCall = new RegExp(
      `\\.(${models.join("|")})\\.(find\\w*|create\\w*|update\\w*|delete\\w*|upsert|count|aggregate|groupBy)\\(|\\$(transaction|queryRaw\\w*|executeRaw\\w*)\\(`,
    );
    const sql = /\b(SELECT|INSERT INTO|UPDATE|DELETE FROM)\b[^;]{0,400}?\b(FROM|VALUES|SET|WHERE)\b/;
    const broken = files.flatMap((f) => {
      const text = readFileSync(join(repoRoot, f), "utf8").replace(/^\s*(\/\/|\*).*$/gm, "");
      const out: string[] = [];
      if (!f.startsWith("lib/adapters/db/") && prismaCall.test(text)) out.push(`${f}: a Prisma call`);
      if (!f.startsWith("lib/adapters/") && !f.startsWith("lib/dev/") && sql.test(text)) out.push(`${f}: SQL`);
      return out;
    });
    expect(broken).toEqual([]);
  });

  it("nothing of the product in lib/ names a file of workers/, app/ or scripts/ (entry points are the top, not a dependency; the benchmarks in lib/dev start the real workers)", () => {
    const named = files
      .filter((f) => f.startsWith("lib/") && !f.startsWith("lib/dev/"))
      .flatMap((f) => {
        const text = readFileSync(join(repoRoot, f), "utf8").replace(/^\s*(\/\/|\*).*$/gm, "");
        return /["'`](\.\/)?(workers|app|scripts)\/[\w./-]+\.(ts|tsx|mjs)["'`]/.test(text) ? [f] : [];
      });
    expect(named).toEqual([]);
  });

  it("the feature folders import one another without a cycle", () => {
    const featureOf = (f: string) => (f.startsWith("lib/features/") ? f.split("/")[2] : undefined);
    const graph = new Map<string, Set<string>>();
    for (const e of edges) {
      const a = featureOf(e.from);
      const b = featureOf(e.to ?? "");
      if (a && b && a !== b) graph.set(a, (graph.get(a) ?? new Set()).add(b));
    }
    const cycles: string[] = [];
    const visit = (node: string, path: string[]) => {
      if (path.includes(node)) {
        cycles.push([...path.slice(path.indexOf(node)), node].join(" -> "));
        return;
      }
      for (const next of graph.get(node) ?? []) visit(next, [...path, node]);
    };
    for (const node of graph.keys()) visit(node, []);
    expect(cycles).toEqual([]);
  });

  it("no source file is over 300 lines (tests and generated code aside)", () => {
    const long = files
      .map((f) => ({ f, lines: readFileSync(join(repoRoot, f), "utf8").split("\n").length }))
      .filter((x) => x.lines > 300)
      .map((x) => `${x.f}: ${x.lines} lines`);
    expect(long).toEqual([]);
  });
});

describe("architecture: the checks themselves", () => {
  it("reads static, type-only, re-export, side-effect and dynamic imports", () => {
    const probe = [
      'import { a } from "#lib/domain/x.ts";',
      'import type { B } from "./y.ts";',
      'export { c } from "../contract/z.ts";',
      'import "server-only";',
      'const m = await import("#lib/adapters/db/client.ts");',
    ].join("\n");
    const found = [...probe.matchAll(SPECIFIER)].map((m) => m[1] ?? m[2] ?? m[3]);
    expect(found).toEqual(["#lib/domain/x.ts", "./y.ts", "../contract/z.ts", "server-only", "#lib/adapters/db/client.ts"]);
  });

  it("places files in layers by folder", () => {
    expect(layerOf("lib/domain/oee/compute.ts")).toBe("domain");
    expect(layerOf("lib/features/oee/rollup.ts")).toBe("features");
    expect(layerOf("lib/somewhere.ts")).toBeUndefined();
  });
});
