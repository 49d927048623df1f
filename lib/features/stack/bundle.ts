// A worker entry point bundled into one JavaScript file with esbuild, for processes where memory counts
// (the ingest worker: issue 16's RSS bound). Run through tsx, a worker carries tsx's loader thread and
// its transpiled sources: 129 MB resident before the first message against 86 MB bundled (measured
// 2026-12-06, docs/benchmarks.md). Same sources, same behaviour; packages stay in node_modules.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { buildSync } from "esbuild";
import { repoRoot } from "#lib/platform/config.ts";

/**
 * Bundles `script` (relative to the repository) and returns the bundle's path. The bundle lies two folders
 * below the repository (.andon/build), as lib/platform/config.ts lies below it: that file finds the
 * repository from its own folder. Named by its content, so processes bundling at once never see a half-written file.
 */
export function bundleScript(script: string): string {
  const out = buildSync({
    entryPoints: [join(repoRoot, script)],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    write: false,
    logLevel: "error",
  }).outputFiles[0];
  if (!out) throw new Error(`esbuild produced nothing for ${script}`);
  const dir = join(repoRoot, ".andon", "build");
  const file = join(dir, `${basename(script, ".ts")}-${createHash("sha256").update(out.contents).digest("hex").slice(0, 16)}.mjs`);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, out.contents);
    renameSync(tmp, file);
    forgetOld(dir, `${basename(script, ".ts")}-`, file);
  }
  return file;
}

/** Bundles of earlier sources, an hour old or more (a process reads its bundle once, when it starts). */
function forgetOld(dir: string, prefix: string, keep: string): void {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (!name.startsWith(prefix) || path === keep) continue;
    try {
      if (Date.now() - statSync(path).mtimeMs > 3_600_000) rmSync(path, { force: true });
    } catch {
      // another process removed it first
    }
  }
}
