// andon up's supervision with real child processes: a worker that dies is restarted with back-off,
// the reason it died is read from its log, a crash loop is flagged in the status file the dashboard
// reads, a configuration error is not restarted, and stopping stops for good.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { spawnManaged } from "#lib/features/stack/process.ts";
import { lastError, readProcessStatus, Supervisor } from "#lib/features/stack/supervisor.ts";

const dir = mkdtempSync(join(tmpdir(), "andon-supervisor-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const node = (name: string, code: string) => {
  const logFile = join(dir, `${name}.log`);
  return { name, logFile, start: () => spawnManaged(name, process.execPath, ["-e", code], { logFile }) };
};

describe("supervisor", () => {
  it("restarts a crashing worker with back-off, says why it died and flags the crash loop", { timeout: 30_000 }, async () => {
    const said: string[] = [];
    const statusFile = join(dir, "run", "processes.json");
    const sup = new Supervisor({ statusFile, say: (m) => said.push(m), baseDelayMs: 50, maxDelayMs: 400 });
    const crashing = node("ingest", `setTimeout(() => { throw new RangeError("Invalid time value"); }, 20);`);
    const steady = node("oee", "setInterval(() => {}, 1000);");
    const first = await sup.start(crashing);
    const steadyProc = await sup.start(steady);
    await expect.poll(() => readProcessStatus(statusFile)?.processes.find((p) => p.name === "ingest")?.state, { timeout: 20_000 }).toBe("crash-looping");
    const st = readProcessStatus(statusFile);
    const ingest = st?.processes.find((p) => p.name === "ingest");
    expect(ingest?.restarts).toBeGreaterThanOrEqual(3);
    expect(ingest?.lastExit?.code).toBe(1);
    expect(ingest?.lastExit?.error).toBe("RangeError: Invalid time value");
    expect(said.some((m) => m.startsWith("ingest exited (code 1): RangeError: Invalid time value; restarting in"))).toBe(true);
    expect(said.some((m) => m.includes("crash-looping"))).toBe(true);
    // back-off grows: the announced delays never shrink while it keeps crashing
    const delays = said.filter((m) => m.startsWith("ingest exited")).map((m) => Number(/restarting in (\d+) s/.exec(m)?.[1]));
    expect(delays).toEqual([...delays].sort((a, b) => a - b));
    // a new process each time; the steady one was never touched
    expect(first.child.exitCode).toBe(1);
    expect(st?.processes.find((p) => p.name === "oee")).toMatchObject({ state: "running", restarts: 0, pid: steadyProc.child.pid });
    await sup.stopAll();
    const restartsAtStop = readProcessStatus(statusFile)?.processes.find((p) => p.name === "ingest")?.restarts ?? 0;
    await new Promise((r) => setTimeout(r, 1000));
    const after = readProcessStatus(statusFile);
    expect(after?.processes.every((p) => p.state === "stopped")).toBe(true);
    expect(after?.processes.find((p) => p.name === "ingest")?.restarts).toBe(restartsAtStop);
    expect(steadyProc.child.exitCode !== null || steadyProc.child.signalCode !== null).toBe(true);
  });

  it("says running again once a process that crash-looped has stayed up for the window", { timeout: 20_000 }, async () => {
    const statusFile = join(dir, "run3", "processes.json");
    const sup = new Supervisor({ statusFile, say: () => undefined, baseDelayMs: 20, maxDelayMs: 40, crashLoopWindowMs: 1500 });
    const counter = join(dir, "starts");
    writeFileSync(counter, "");
    // crashes on its first three starts, then stays up. A shell, not Node: the three crashes must fall
    // inside the 1.5 s window, and three Node start-ups on a loaded 2-core machine can take longer than
    // that (seen in a fresh-clone run: the window never held three exits, so it never said crash-looping)
    const logFile = join(dir, "flaky.log");
    const script = `printf x >> "$0"; if [ "$(wc -c < "$0")" -le 3 ]; then echo boom >&2; exit 1; fi; exec sleep 3600`;
    await sup.start({ name: "flaky", logFile, start: () => spawnManaged("flaky", "/bin/sh", ["-c", script, counter], { logFile }) });
    const state = () => readProcessStatus(statusFile)?.processes[0]?.state;
    await expect.poll(() => sup.status()[0]?.restarts, { timeout: 10_000 }).toBe(3);
    await expect.poll(state, { timeout: 5_000 }).toBe("crash-looping");
    await expect.poll(state, { timeout: 10_000 }).toBe("running");
    // and once every exit has left the window, none counts any more
    await expect.poll(() => sup.status()[0]?.recentExits, { timeout: 5_000 }).toBe(0);
    expect(sup.status()[0]).toMatchObject({ state: "running", restarts: 3 });
    await sup.stopAll();
  });

  it("does not restart a process that stopped on a configuration error", { timeout: 15_000 }, async () => {
    const fatal: string[] = [];
    const sup = new Supervisor({
      statusFile: join(dir, "run2", "processes.json"),
      say: () => undefined,
      baseDelayMs: 20,
      onFatal: (name, error) => fatal.push(`${name}: ${error}`),
    });
    await sup.start(node("commands", `console.error("COMMAND_ANSWER_GRACE_S: must be a whole number"); process.exit(2);`));
    await expect.poll(() => fatal, { timeout: 10_000 }).toEqual(["commands: COMMAND_ANSWER_GRACE_S: must be a whole number"]);
    await new Promise((r) => setTimeout(r, 300));
    expect(sup.status()[0]).toMatchObject({ state: "stopped", restarts: 0 });
    await sup.stopAll();
  });

  it("reads the reason from a pino log: the last error-level line", () => {
    const f = join(dir, "pino.log");
    writeFileSync(
      f,
      [
        JSON.stringify({ level: 30, msg: "connected to broker" }),
        JSON.stringify({ level: 50, msg: "leader lock lost", err: "Connection terminated unexpectedly" }),
        JSON.stringify({ level: 30, msg: "shutting down" }),
        "",
      ].join("\n"),
    );
    expect(lastError(f)).toBe("leader lock lost: Connection terminated unexpectedly");
    // an earlier run's error is not this run's reason
    expect(lastError(f, readFileSync(f).length)).toBe("");
    expect(lastError(join(dir, "missing.log"))).toBe("");
  });
});
