// Supervision for `andon up`: a worker that dies is restarted with back-off and the reason it died is
// said and kept, instead of one crash stopping the whole stack. What each process is doing is written
// to a status file that the dashboard reads (ingest page, /api/health).
import { closeSync, mkdirSync, openSync, readFileSync, readSync, renameSync, statSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Managed } from "./process.ts";

export type ProcessState = "running" | "restarting" | "crash-looping" | "stopped";

export interface ProcessStatus {
  name: string;
  state: ProcessState;
  pid?: number;
  startedAt: string;
  restarts: number;
  /** Exits in the last CRASH_LOOP_WINDOW_MS. */
  recentExits: number;
  lastExit?: { at: string; code: number | null; signal: string | null; error: string };
  nextStartAt?: string;
}

export interface SupervisorOptions {
  statusFile: string;
  say: (m: string) => void;
  /** First restart delay; doubles up to maxDelayMs (defaults: 1 s, 60 s). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** A process up this long has recovered: the next restart starts from baseDelayMs again (60 s). */
  stableAfterMs?: number;
  /** Exits within this window count towards a crash loop (default CRASH_LOOP_WINDOW_MS). */
  crashLoopWindowMs?: number;
  /**
   * Called instead of a restart when a process exits with code 2 (a configuration or usage error,
   * lib/platform/process.ts runMain): restarting cannot fix the configuration.
   */
  onFatal?: (name: string, error: string) => void;
}

export interface SupervisedSpec {
  name: string;
  /** Its log file: the reason it died is read from its end. */
  logFile: string;
  start: () => Managed | Promise<Managed>;
}

/** This many exits within CRASH_LOOP_WINDOW_MS make a process "crash-looping". */
export const CRASH_LOOP_EXITS = 3;
export const CRASH_LOOP_WINDOW_MS = 5 * 60_000;

interface Entry {
  spec: SupervisedSpec;
  proc?: Managed;
  status: ProcessStatus;
  exits: number[];
  delayMs: number;
  timer?: NodeJS.Timeout;
}

export class Supervisor {
  readonly #entries = new Map<string, Entry>();
  readonly #o: Required<SupervisorOptions>;
  #stopping = false;

  constructor(o: SupervisorOptions) {
    this.#o = { baseDelayMs: 1000, maxDelayMs: 60_000, stableAfterMs: 60_000, onFatal: () => undefined, crashLoopWindowMs: CRASH_LOOP_WINDOW_MS, ...o };
  }

  /** Starts a process and keeps it running until stopAll(); resolves with its first instance. */
  async start(spec: SupervisedSpec): Promise<Managed> {
    const entry: Entry = {
      spec,
      status: { name: spec.name, state: "running", startedAt: new Date().toISOString(), restarts: 0, recentExits: 0 },
      exits: [],
      delayMs: this.#o.baseDelayMs,
    };
    this.#entries.set(spec.name, entry);
    return this.#launch(entry);
  }

  /**
   * What each process is doing now. A process that is up is crash-looping only while its exits in the
   * last window reach CRASH_LOOP_EXITS: one that has stayed up since is running again.
   */
  status(now = Date.now()): ProcessStatus[] {
    return [...this.#entries.values()].map((e) => {
      if (e.status.state !== "running" && e.status.state !== "crash-looping") return { ...e.status };
      const recentExits = e.exits.filter((t) => now - t < this.#o.crashLoopWindowMs).length;
      return { ...e.status, recentExits, state: recentExits >= CRASH_LOOP_EXITS ? "crash-looping" : "running" };
    });
  }

  /** Stops every process (last started first); nothing is restarted from now on. */
  async stopAll(): Promise<void> {
    this.#stopping = true;
    for (const e of [...this.#entries.values()].reverse()) {
      clearTimeout(e.timer);
      await e.proc?.stop();
      e.status = { ...e.status, state: "stopped", pid: undefined, nextStartAt: undefined };
    }
    this.#write();
  }

  async #launch(e: Entry): Promise<Managed> {
    // only what this run writes to the (appended) log can say why this run died
    const logStart = fileSize(e.spec.logFile);
    const proc = await e.spec.start();
    e.proc = proc;
    const startedAt = Date.now();
    e.status = {
      ...e.status,
      state: "running", // or crash-looping: status() derives it from the recent exits
      pid: proc.child.pid,
      startedAt: new Date(startedAt).toISOString(),
      nextStartAt: undefined,
    };
    this.#write();
    // the status file says "running" again once the oldest of the exits leaves the window
    const oldest = e.exits.at(-CRASH_LOOP_EXITS);
    if (oldest !== undefined) setTimeout(() => this.#stopping || this.#write(), oldest + this.#o.crashLoopWindowMs - startedAt + 10).unref();
    proc.child.once("exit", async (code, signal) => {
      if (this.#stopping) return;
      // the reason is at the end of its log: wait until what it printed last is there
      await Promise.race([proc.logged, new Promise((r) => setTimeout(r, 2000))]);
      if (this.#stopping) return;
      const now = Date.now();
      if (now - startedAt >= this.#o.stableAfterMs) e.delayMs = this.#o.baseDelayMs;
      e.exits = [...e.exits.filter((t) => now - t < this.#o.crashLoopWindowMs), now];
      const looping = e.exits.length >= CRASH_LOOP_EXITS;
      const error = lastError(e.spec.logFile, logStart);
      if (code === 2) {
        e.status = { ...e.status, state: "stopped", pid: undefined, lastExit: { at: new Date(now).toISOString(), code, signal, error } };
        this.#write();
        this.#o.say(`${e.spec.name} stopped on a configuration error, not restarted: ${error || `see ${e.spec.logFile}`}`);
        this.#o.onFatal(e.spec.name, error);
        return;
      }
      const delay = e.delayMs;
      e.delayMs = Math.min(e.delayMs * 2, this.#o.maxDelayMs);
      e.status = {
        ...e.status,
        state: looping ? "crash-looping" : "restarting",
        pid: undefined,
        restarts: e.status.restarts + 1,
        recentExits: e.exits.length,
        lastExit: { at: new Date(now).toISOString(), code, signal, error },
        nextStartAt: new Date(now + delay).toISOString(),
      };
      this.#write();
      this.#o.say(
        `${e.spec.name} exited (${signal ?? `code ${code}`}): ${error || "no error in its log"}; restarting in ${(delay / 1000).toFixed(0)} s` +
          (looping ? ` (crash-looping: ${e.exits.length} exits in ${this.#o.crashLoopWindowMs / 60_000} min; see ${e.spec.logFile})` : ""),
      );
      e.timer = setTimeout(() => {
        if (this.#stopping) return;
        this.#launch(e).catch((err: Error) => this.#o.say(`${e.spec.name} could not be restarted: ${err.message}`));
      }, delay);
    });
    return proc;
  }

  #write(): void {
    try {
      mkdirSync(dirname(this.#o.statusFile), { recursive: true });
      const tmp = `${this.#o.statusFile}.tmp`;
      const file: ProcessStatusFile = { updatedAt: new Date().toISOString(), supervisorPid: process.pid, processes: this.status() };
      writeFileSync(tmp, JSON.stringify(file, null, 1));
      renameSync(tmp, this.#o.statusFile);
    } catch (err) {
      this.#o.say(`could not write ${this.#o.statusFile}: ${(err as Error).message}`);
    }
  }
}

/**
 * Why a process died, from the end of its log: the last error-level JSON line (pino: level >= 50) with
 * its error, else the last line that is not JSON (Node's own report of an uncaught exception).
 */
export function lastError(logFile: string, from = 0, maxBytes = 64 * 1024): string {
  let text: string;
  try {
    const size = statSync(logFile).size;
    const fd = openSync(logFile, "r");
    try {
      const len = Math.max(0, Math.min(size - from, maxBytes));
      const buf = Buffer.alloc(len);
      readSync(fd, buf, 0, len, size - len);
      text = buf.toString("utf8");
    } finally {
      closeSync(fd);
    }
  } catch {
    return "";
  }
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i] as string;
    if (line.startsWith("{")) {
      try {
        const j = JSON.parse(line) as { level?: number; msg?: string; err?: unknown };
        if ((j.level ?? 0) >= 50) {
          const err = typeof j.err === "string" ? j.err : ((j.err as { message?: string } | undefined)?.message ?? "");
          return cut([j.msg, err].filter(Boolean).join(": "));
        }
      } catch {
        // a cut or foreign line: not an error report
      }
      continue;
    }
    // Node prints the stack after the error line; the line naming the error type is the one to show
    if (/^\s+at /.test(line) || /^Node\.js v/.test(line)) continue;
    return cut(line.trim());
  }
  return "";
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

const cut = (s: string) => (s.length > 300 ? `${s.slice(0, 300)}…` : s);

/** The supervisor's status file as the dashboard reads it; undefined when absent or unreadable. */
export interface ProcessStatusFile {
  updatedAt: string;
  /** The `andon up` that wrote it: when it is gone, nothing in the file is current. */
  supervisorPid: number;
  processes: ProcessStatus[];
}

export function readProcessStatus(statusFile: string): ProcessStatusFile | undefined {
  try {
    return JSON.parse(readFileSync(statusFile, "utf8")) as ProcessStatusFile;
  } catch {
    return undefined;
  }
}

/** Where `andon up` writes the status of the processes it supervises. */
export const processStatusFile = (andonHome: string) => `${andonHome}/run/processes.json`;
