// A whole `andon up` in a child process with its own ANDON_HOME, database and every port set (Redis,
// Mosquitto, QuestDB HTTP/PG/ILP/health, dashboard, metrics), as a newcomer's `npm start` runs it.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dropScratchDatabase } from "#lib/dev/isolated-stack.ts";
import { freePort } from "#lib/features/stack/net.ts";
import type { PortUse } from "#lib/features/stack/ports.ts";
import { ensureQuestDbJar } from "#lib/features/stack/questdb.ts";
import { config, repoRoot } from "#lib/platform/config.ts";

export interface Stack {
  name: string;
  home: string;
  env: Record<string, string>;
  ports: PortUse[];
  child?: ChildProcess;
  out: string;
  /** when `andon up` was spawned (ms) */
  startedAt?: number;
}

/** Ports handed out in this process: a port free now may be offered again a moment later (a CI run got the same one twice). */
const handedOut = new Set<number>();

async function distinctPort(): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

export async function makeStack(name: string, historyDays: number): Promise<Stack> {
  const home = mkdtempSync(join(tmpdir(), `andon-${name}-`));
  // the QuestDB jar is shared (not fetched again per home)
  const jar = await ensureQuestDbJar(config().ANDON_HOME, config().QUESTDB_VERSION);
  mkdirSync(join(home, "questdb"));
  symlinkSync(jar, join(home, "questdb", `questdb-${config().QUESTDB_VERSION}.jar`));
  const db = new URL(config().DATABASE_URL);
  db.pathname = `/andon_${name.replace(/\W/g, "_")}_${randomBytes(3).toString("hex")}`;
  const p = {
    redis: await distinctPort(),
    mqtt: await distinctPort(),
    http: await distinctPort(),
    pg: await distinctPort(),
    ilp: await distinctPort(),
    health: await distinctPort(),
    web: await distinctPort(),
    ingest: await distinctPort(),
    oee: await distinctPort(),
    sim: await distinctPort(),
  };
  const env = {
    ANDON_HOME: home,
    DATABASE_URL: db.toString(),
    REDIS_URL: `redis://127.0.0.1:${p.redis}`,
    MQTT_URL: `mqtt://127.0.0.1:${p.mqtt}`,
    QUESTDB_HTTP_URL: `http://127.0.0.1:${p.http}`,
    QUESTDB_PG_URL: `postgresql://admin@127.0.0.1:${p.pg}/qdb`,
    QUESTDB_ILP_PORT: String(p.ilp),
    QUESTDB_HEALTH_PORT: String(p.health),
    WEB_PORT: String(p.web),
    INGEST_METRICS_PORT: String(p.ingest),
    OEE_METRICS_PORT: String(p.oee),
    SIM_METRICS_PORT: String(p.sim),
    LOG_LEVEL: "warn",
    SIM_HISTORY_DAYS: String(historyDays),
  };
  const ports: PortUse[] = Object.entries(p).map(([what, port]) => ({ setting: what, port, what }));
  return { name, home, env, ports, out: "" };
}

/** Spawns `andon up` (or another command that starts the stack) and resolves once it prints "Andon is running". */
export function up(s: Stack, args: readonly string[] = ["up"]): Promise<void> {
  // QUESTDB_PG_PASSWORD and friends of this test process must not leak into the stack: its own are generated
  const { QUESTDB_PG_PASSWORD: _p, QUESTDB_HTTP_URL: _h, ...parent } = process.env;
  s.startedAt = Date.now();
  const child = spawn(process.execPath, [join(repoRoot, "scripts", "andon.mjs"), ...args], {
    cwd: repoRoot,
    env: { ...parent, ...s.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  s.child = child;
  child.stdout?.on("data", (d) => (s.out += d));
  child.stderr?.on("data", (d) => (s.out += d));
  return new Promise((resolve, reject) => {
    const onData = () => {
      if (s.out.includes("Andon is running")) {
        child.stdout?.off("data", onData);
        resolve();
      }
    };
    child.stdout?.on("data", onData);
    child.once("exit", (code) => reject(new Error(`${s.name}: andon up exited with ${code} before it was running:\n${s.out}`)));
  });
}

/** SIGINT, as Ctrl-C in `npm start`; resolves with the exit code. */
export function stop(s: Stack): Promise<number | null> {
  const child = s.child;
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child?.exitCode ?? null);
  return new Promise((resolve) => {
    child.removeAllListeners("exit");
    child.once("exit", (code) => resolve(code));
    child.kill("SIGINT");
  });
}

/** Stops it if still running (SIGKILL after 20 s), drops its database and removes its home. */
export async function removeStack(s: Stack): Promise<void> {
  if (s.child && s.child.exitCode === null && s.child.signalCode === null) {
    s.child.kill("SIGINT");
    await new Promise((r) => setTimeout(r, 20_000));
    if (s.child.exitCode === null) s.child.kill("SIGKILL");
  }
  await dropScratchDatabase(s.env.DATABASE_URL as string).catch(() => undefined);
  rmSync(s.home, { recursive: true, force: true });
}

/** The first admin's password, as `andon up` prints it once. */
export const adminPassword = (s: Stack) => /password: +(\S+)/.exec(s.out)?.[1];
