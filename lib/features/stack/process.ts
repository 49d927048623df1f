// A child process Andon started and must stop: SIGTERM, then SIGKILL after a grace period.
import { type ChildProcess, type SpawnOptions, spawn } from "node:child_process";
import { createWriteStream, readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "#lib/platform/config.ts";
import { bundleScript } from "./bundle.ts";

export interface Managed {
  name: string;
  child: ChildProcess;
  stop(graceMs?: number): Promise<void>;
  kill(): Promise<void>;
  /** Resolves once the process has exited and everything it printed is in its log file. */
  logged: Promise<void>;
}

export function spawnManaged(name: string, cmd: string, args: string[], opts: SpawnOptions & { logFile?: string } = {}): Managed {
  const { logFile, ...spawnOpts } = opts;
  const child = spawn(cmd, args, { stdio: logFile ? ["ignore", "pipe", "pipe"] : "inherit", ...spawnOpts });
  let logged = new Promise<void>((r) => child.once("close", () => r()));
  if (logFile) {
    const out = createWriteStream(logFile, { flags: "a" });
    // one file for both streams: ended once both are (ending it with the first lost the other's tail)
    child.stdout?.pipe(out, { end: false });
    child.stderr?.pipe(out, { end: false });
    out.on("error", () => undefined);
    logged = new Promise<void>((r) => {
      child.once("close", () => out.end(() => r()));
    });
  }
  const exited = new Promise<void>((r) => {
    if (child.exitCode !== null || child.signalCode !== null) r();
    child.once("exit", () => r());
  });
  const signal = async (sig: NodeJS.Signals, graceMs: number) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(sig);
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    await exited;
    clearTimeout(timer);
  };
  return {
    name,
    child,
    stop: (graceMs = 15_000) => signal("SIGTERM", graceMs),
    kill: () => signal("SIGKILL", 5000),
    logged,
  };
}

/**
 * A TypeScript entry point of this repository (workers/, lib/bench/) run by Node through tsx, or bundled
 * first (`bundled`: one JavaScript file, no tsx in the process; ./bundle.ts).
 */
export function spawnScript(
  name: string,
  script: string,
  opts: Omit<SpawnOptions, "env"> & { logFile?: string; env?: Record<string, string>; nodeArgs?: string[]; bundled?: boolean } = {},
): Managed {
  const { nodeArgs = [], env = {}, bundled = false, ...rest } = opts;
  const entry = bundled ? [bundleScript(script)] : ["--import", "tsx", join(repoRoot, script)];
  return spawnManaged(name, process.execPath, [...nodeArgs, ...entry], {
    cwd: repoRoot,
    ...rest,
    env: { ...process.env, ...env },
  });
}

/** CPU time (user + system, seconds) a process has used so far (0 once it is gone; Linux clock ticks of 10 ms). */
export function cpuSeconds(pid: number): number {
  try {
    // fields after the command name, which is in parentheses and may hold spaces
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
}

/** CPU time used so far by the whole machine, all cores (user, nice, system, irq, softirq), seconds; 0 where /proc cannot tell. */
export function machineCpuSeconds(): number {
  try {
    const f = (readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "").trim().split(/\s+/).slice(1).map(Number);
    return ((f[0] ?? 0) + (f[1] ?? 0) + (f[2] ?? 0) + (f[5] ?? 0) + (f[6] ?? 0)) / 100;
  } catch {
    return 0;
  }
}

/** Resident memory of a process in MiB (0 once it is gone). */
export function rssMb(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}
