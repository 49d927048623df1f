// The Next.js dashboard as a process: built once per source change, served with `next start`.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "#lib/platform/config.ts";
import { tcpOpen, waitFor } from "./net.ts";
import { type Managed, spawnManaged } from "./process.ts";

const nextBin = join(repoRoot, "node_modules", "next", "dist", "bin", "next");
const webEnv = { NEXT_TELEMETRY_DISABLED: "1" };

/** Hash of everything the build depends on (paths and contents), to rebuild only when it changed. */
function webSourceHash(): string {
  const h = createHash("sha256");
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.name === "generated" || e.name.startsWith(".")) continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else h.update(p).update(readFileSync(p));
    }
  };
  walk(join(repoRoot, "app"));
  walk(join(repoRoot, "lib"));
  for (const f of ["next.config.ts", "package-lock.json", "tsconfig.json", "prisma/schema.prisma"]) {
    if (existsSync(join(repoRoot, f))) h.update(readFileSync(join(repoRoot, f)));
  }
  return h.digest("hex");
}

/** Runs `next build` unless the last build was made from the same sources. Returns true if it built. */
export async function ensureWebBuild(logFile: string, say: (m: string) => void = () => undefined): Promise<boolean> {
  const hashFile = join(repoRoot, ".next", "andon-source.hash");
  const hash = webSourceHash();
  if (existsSync(join(repoRoot, ".next", "BUILD_ID")) && existsSync(hashFile) && readFileSync(hashFile, "utf8") === hash) return false;
  say("building the dashboard (first start or after a change; takes a minute or two) ...");
  const build = spawnManaged("web-build", process.execPath, [nextBin, "build"], { cwd: repoRoot, env: { ...process.env, ...webEnv }, logFile });
  const code = await new Promise<number>((r) => build.child.once("exit", (c) => r(c ?? 1)));
  if (code !== 0) throw new Error(`dashboard build failed; see ${logFile}`);
  writeFileSync(hashFile, hash);
  return true;
}

/**
 * The built dashboard on 127.0.0.1 with the given environment: workers/web.ts, Next.js behind a Node
 * server that tells route handlers the TCP peer's address (`next start` cannot).
 */
export async function startWeb(port: number, env: Record<string, string>, logFile: string, nodeArgs: string[] = []): Promise<Managed> {
  const script = join(repoRoot, "workers", "web.ts");
  // a larger young generation: the dashboard's answers are short-lived garbage (fewer scavenges)
  const web = spawnManaged(
    "web",
    process.execPath,
    ["--max-semi-space-size=64", ...nodeArgs, "--import", "tsx", script, "--host", "127.0.0.1", "--port", String(port)],
    {
      cwd: repoRoot,
      env: { ...process.env, ...webEnv, NODE_ENV: "production", ...env },
      logFile,
    },
  );
  let exited = false;
  web.child.once("exit", () => {
    exited = true;
  });
  await waitFor(
    "dashboard",
    async () => {
      if (exited) throw new Error(`dashboard exited at start; see ${logFile}`);
      return tcpOpen("127.0.0.1", port);
    },
    60_000,
  );
  return web;
}
