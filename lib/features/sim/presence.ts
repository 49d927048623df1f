// The simulator's presence, as a gateway's last will gives it for a plant: when the simulator stops,
// the machines it speaks for in Andon's JSON say `unknown` ("no data"), so the hours it was not
// running count as an unplanned stop of unknown state (as a window with no state known does,
// docs/oee.md), not as the last state lasting: a machine last seen running would otherwise be
// "running" all night with no parts made, and its performance would collapse. (Its Sparkplug edge
// nodes say it with NDEATH, which the ingest turns into the same `unknown`.) A crash gives no chance
// to say so: a pulse file, written every few seconds, says when the simulator was last alive, and the
// next start marks the machines unknown from then.
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "pino";
import { withTimeout } from "#lib/platform/timeout.ts";

export interface Pulse {
  /** The last moment the simulator was known to be publishing (epoch ms). */
  lastMs: number;
  /** True when it stopped cleanly (it said `unknown` itself then). */
  clean: boolean;
}

export const PULSE_EVERY_MS = 5000;
export const STOPPED_REASON = "no data: the plant simulator stopped";
export const CRASHED_REASON = "no data: the plant simulator was not running";

/** The pulse file of one simulator process (several, one per factory broker, may share ANDON_HOME), by its SIM_SITES in any order. */
export function pulseFileName(sites: string): string {
  const list = sites
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean)
    .sort();
  return `simulator-${list.length ? list.join(",").replace(/[^a-zA-Z0-9_-]+/g, "_") : "all"}.json`;
}

/** Removes every simulator's pulse in `home` (a demo reset: the data they would mark is gone). */
export function removePulses(home: string): number {
  if (!existsSync(home)) return 0;
  const files = readdirSync(home).filter((f) => /^simulator-[a-zA-Z0-9_-]+\.json$/.test(f));
  for (const f of files) rmSync(join(home, f), { force: true });
  return files.length;
}

/** The pulse in `file`, or undefined when there is none or it is unreadable (then nothing is known of a gap). */
export function readPulse(file: string): Pulse | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const p = JSON.parse(readFileSync(file, "utf8")) as Partial<Pulse>;
    return typeof p.lastMs === "number" && Number.isFinite(p.lastMs) && typeof p.clean === "boolean" ? { lastMs: p.lastMs, clean: p.clean } : undefined;
  } catch {
    return undefined;
  }
}

/** Writes the pulse whole or not at all (a crash while writing leaves the previous one). */
export function writePulse(file: string, pulse: Pulse): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify(pulse));
  renameSync(tmp, file);
}

/**
 * When the machines' data stopped without a word, or undefined (a clean end, or none known). The dead
 * run published nothing after its next pulse would have been due, so that is the moment: any state it
 * sent after its last pulse comes before it, and at most one pulse period of the last state remains.
 */
export function silentSince(pulse: Pulse | undefined, nowMs: number): number | undefined {
  if (!pulse || pulse.clean) return undefined;
  const due = pulse.lastMs + PULSE_EVERY_MS;
  return due < nowMs ? due : undefined;
}

/** The state message that says a machine's data stopped at `tsMs`. */
export function noDataState(tsMs: number, reason: string): Record<string, unknown> {
  return { v: 1, ts: new Date(tsMs).toISOString(), state: "unknown", reason };
}

/** Publishes each machine's `unknown` state at `tsMs` (the simulator's JSON machines), resolved when the broker has them. */
export type SayNoData = (tsMs: number, reason: string) => Promise<unknown>;

const SAY_WITHIN_MS = 5000;

/** One simulator process's presence: the mark at start, the pulse while it runs, the word when it stops. */
export class SimPresence {
  #failing = false;

  constructor(
    private readonly file: string,
    private readonly log: Logger,
    /** INGEST_MAX_AGE_S in ms: an older mark would only be dead-lettered. */
    private readonly maxAgeMs: number,
  ) {}

  /** At start: the machines unknown since the last run's due pulse, when it ended without a word. */
  async markSilence(say: SayNoData): Promise<void> {
    const now = Date.now();
    const since = silentSince(readPulse(this.file), now);
    if (since === undefined || now - since >= this.maxAgeMs - 60_000) return;
    this.log.info({ since: new Date(since).toISOString() }, "the last run ended without a word: the machines' data is unknown since its last pulse");
    await withTimeout(say(since, CRASHED_REASON), SAY_WITHIN_MS, "the machines' unknown states").catch((e: Error) =>
      this.log.warn({ err: e.message }, "the gap's unknown states were not acknowledged; it stays unmarked"),
    );
  }

  /** While it runs. A pulse that cannot be written costs the crash mark, never the simulation; the stale one goes, so no mark lands inside live data. */
  beat(): void {
    try {
      writePulse(this.file, { lastMs: Date.now(), clean: false });
      this.#failing = false;
    } catch (e) {
      if (!this.#failing) this.log.warn({ err: (e as Error).message, file: this.file }, "cannot write the simulator's pulse: a crash will not be marked");
      this.#failing = true;
      try {
        rmSync(this.file, { force: true });
      } catch {
        // nothing more to do: a read-only place keeps its last pulse
      }
    }
  }

  /** When it stops: true once the broker has every machine's `unknown` (5 s bound); the pulse says whether it was said. */
  async stop(say: SayNoData): Promise<boolean> {
    const now = Date.now();
    let said = true;
    await withTimeout(say(now, STOPPED_REASON), SAY_WITHIN_MS, "the machines' unknown states").catch((e: Error) => {
      said = false;
      this.log.warn({ err: e.message }, "the machines' unknown states were not acknowledged; the next start marks them");
    });
    try {
      writePulse(this.file, { lastMs: now, clean: said });
    } catch (e) {
      this.log.warn({ err: (e as Error).message, file: this.file }, "cannot write the simulator's pulse");
    }
    return said;
  }
}
