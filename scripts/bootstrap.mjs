#!/usr/bin/env node
// `npm start` and `npm test` on a fresh machine: install dependencies and generate the Prisma client
// when needed, then hand over to the TypeScript CLI (up) or the test runner (test). No dependencies.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const mode = process.argv[2];
const say = (m) => console.log(`[andon] ${m}`);

const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(`Andon needs Node.js 20.19 or later (this is ${process.versions.node}).`);
  process.exit(2);
}

function run(cmd, args, env = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit", env: { ...process.env, ...env } });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const mtime = (p) => (existsSync(p) ? statSync(p).mtimeMs : 0);

// 1. npm dependencies, when missing or older than the lock file
const installed = join(root, "node_modules", ".package-lock.json");
if (!existsSync(installed) || mtime(join(root, "package-lock.json")) > mtime(installed)) {
  say("installing npm dependencies ...");
  run("npm", ["ci", "--no-audit", "--no-fund"]);
}

// 2. the Prisma client, when missing or older than the schema. Prisma 7's CLI wants a schema-engine
// binary from Prisma's servers before it does anything; `generate` never runs it, so any executable
// satisfies the check and generation (WebAssembly) works offline. See README "Database migrations".
const generated = join(root, "lib", "adapters", "db", "generated", "client.ts");
if (mtime(generated) < mtime(join(root, "prisma", "schema.prisma"))) {
  say("generating the Prisma client ...");
  const engine = existsSync("/bin/true") ? "/bin/true" : process.execPath;
  run(process.execPath, [join(root, "node_modules", "prisma", "build", "index.js"), "generate"], { PRISMA_SCHEMA_ENGINE_BINARY: engine });
}

// 3. hand over
if (mode === "up") {
  run(process.execPath, [join(root, "scripts", "andon.mjs"), "up", ...process.argv.slice(3)]);
} else if (mode === "test") {
  // the browser for the end-to-end tests (Debian's Chromium; never a downloaded one)
  if (!existsSync("/usr/bin/chromium")) {
    if (process.getuid?.() === 0 && existsSync("/usr/bin/apt-get")) {
      say("installing Chromium for the browser tests (apt-get install chromium) ...");
      run("apt-get", ["update", "-q"]);
      run("apt-get", ["install", "-y", "-q", "chromium"], { DEBIAN_FRONTEND: "noninteractive" });
    } else {
      console.error("The browser tests need Chromium at /usr/bin/chromium: apt-get install chromium");
      process.exit(2);
    }
  }
  // Maven and a JDK for the HiveMQ CE pass of the full suite (Maven fetches the broker, javac builds Andon's launcher)
  // and for the Kafka forwarder's tests (Maven fetches Apache Kafka 4.4, which runs on Java 17)
  const onPath = (bin) => spawnSync("sh", ["-c", `command -v ${bin}`], { stdio: "ignore" }).status === 0;
  const jdk = [onPath("mvn") ? [] : ["maven"], onPath("javac") ? [] : ["openjdk-17-jdk-headless"]].flat();
  if (process.argv.length === 3 && jdk.length > 0) {
    if (process.getuid?.() === 0 && existsSync("/usr/bin/apt-get")) {
      say(`installing ${jdk.join(" and ")} for the HiveMQ CE and Kafka tests (apt-get) ...`);
      run("apt-get", ["update", "-q"]);
      run("apt-get", ["install", "-y", "-q", ...jdk], { DEBIAN_FRONTEND: "noninteractive" });
    } else {
      console.error(`The HiveMQ CE and Kafka tests need Maven and a JDK: apt-get install ${jdk.join(" ")}`);
      process.exit(2);
    }
  }
  if (process.argv.length === 3) {
    say("lint and type check ...");
    run(process.execPath, [join(root, "node_modules", "@biomejs", "biome", "bin", "biome"), "check", "."]);
    run(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "--noEmit", "-p", "tsconfig.json"]);
  }
  run(process.execPath, [join(root, "node_modules", "vitest", "vitest.mjs"), "run", ...process.argv.slice(3)], { TZ: "UTC", NEXT_TELEMETRY_DISABLED: "1" });
  if (process.argv.length === 3) {
    // the broker-facing tests once more on HiveMQ CE (docs/deployment.md "Brokers"); Maven fetches it once
    const both = JSON.parse(readFileSync(join(root, "test", "both-brokers.json"), "utf8")).files;
    say(`the broker-facing tests on HiveMQ CE (ANDON_TEST_BROKER=hivemq): ${both.length} files ...`);
    run(process.execPath, [join(root, "node_modules", "vitest", "vitest.mjs"), "run", ...both], {
      TZ: "UTC",
      NEXT_TELEMETRY_DISABLED: "1",
      ANDON_TEST_BROKER: "hivemq",
    });
  }
} else {
  console.error("usage: node scripts/bootstrap.mjs up|test");
  process.exit(2);
}
