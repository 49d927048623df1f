// A child process Andon started and must stop: SIGTERM, then SIGKILL after a grace period.
import { type ChildProcess, type SpawnOptions, spawn } from "node:child_process";
import { createWriteStream } from "node:fs";

export interface Managed {
  name: string;
  child: ChildProcess;
  stop(graceMs?: number): Promise<void>;
  kill(): Promise<void>;
}

export function spawnManaged(name: string, cmd: string, args: string[], opts: SpawnOptions & { logFile?: string } = {}): Managed {
  const { logFile, ...spawnOpts } = opts;
  const child = spawn(cmd, args, { stdio: logFile ? ["ignore", "pipe", "pipe"] : "inherit", ...spawnOpts });
  if (logFile) {
    const out = createWriteStream(logFile, { flags: "a" });
    child.stdout?.pipe(out);
    child.stderr?.pipe(out);
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
  };
}
