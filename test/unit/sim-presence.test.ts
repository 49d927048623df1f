// The simulator's pulse (lib/features/sim/presence.ts): when a dead run's silence began, which file each
// simulator process keeps, and what a demo reset removes.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PULSE_EVERY_MS, pulseFileName, readPulse, removePulses, SimPresence, silentSince, writePulse } from "#lib/features/sim/presence.ts";
import { createLogger } from "#lib/platform/log.ts";

const dir = mkdtempSync(join(tmpdir(), "andon-pulse-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the simulator's pulse", () => {
  it("dates a silence from when the dead run's next pulse was due, and none after a clean stop or a quick restart", () => {
    const now = 1_800_000_000_000;
    expect(silentSince({ lastMs: now - 3_600_000, clean: false }, now)).toBe(now - 3_600_000 + PULSE_EVERY_MS);
    expect(silentSince({ lastMs: now - 3_600_000, clean: true }, now)).toBeUndefined();
    expect(silentSince({ lastMs: now - PULSE_EVERY_MS + 1, clean: false }, now)).toBeUndefined();
    expect(silentSince(undefined, now)).toBeUndefined();
  });

  it("is one file per simulator process, read back whole, and unreadable ones are no pulse", () => {
    expect(pulseFileName("")).toBe("simulator-all.json");
    expect(pulseFileName("acme/dresden,acme/pune")).toBe("simulator-acme_dresden_acme_pune.json");
    // the same sites in another order or spacing: the same simulator
    expect(pulseFileName(" acme/pune , acme/dresden")).toBe("simulator-acme_dresden_acme_pune.json");
    const file = join(dir, pulseFileName(""));
    writePulse(file, { lastMs: 42, clean: false });
    expect(readPulse(file)).toEqual({ lastMs: 42, clean: false });
    writeFileSync(file, "{not json");
    expect(readPulse(file)).toBeUndefined();
    writeFileSync(file, JSON.stringify({ lastMs: "yesterday", clean: false }));
    expect(readPulse(file)).toBeUndefined();
    expect(readPulse(join(dir, "none.json"))).toBeUndefined();
  });

  it("are all removed by a demo reset, and nothing else is", () => {
    writePulse(join(dir, pulseFileName("")), { lastMs: 1, clean: false });
    writePulse(join(dir, pulseFileName("acme/pune")), { lastMs: 1, clean: true });
    writeFileSync(join(dir, "history.json"), "{}");
    expect(removePulses(dir)).toBe(2);
    expect(readPulse(join(dir, pulseFileName("")))).toBeUndefined();
    expect(existsSync(join(dir, "history.json"))).toBe(true);
    expect(removePulses(join(dir, "missing"))).toBe(0);
  });

  it("drops a stale pulse it cannot renew, so a later crash is not marked inside live data", () => {
    const file = join(dir, "stale.json");
    writePulse(file, { lastMs: 1, clean: false });
    mkdirSync(`${file}.tmp`); // the next write cannot replace it
    new SimPresence(file, createLogger("test-presence", "silent"), 30 * 86_400_000).beat();
    expect(readPulse(file)).toBeUndefined();
    rmSync(`${file}.tmp`, { recursive: true });
  });
});
