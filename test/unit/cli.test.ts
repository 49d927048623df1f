// The command line as a newcomer meets it: help from any command, and a wrong option named without a
// stack trace (exit 2).
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "#lib/platform/config.ts";

const andon = (...args: string[]) => spawnSync(process.execPath, [join(repoRoot, "scripts", "andon.mjs"), ...args], { encoding: "utf8", timeout: 60_000 });

describe("andon's command line", () => {
  it("prints the help for --help after any command, and exits 0", () => {
    const p = andon("bench", "ingest", "--help");
    expect(p.status, p.stderr).toBe(0);
    expect(p.stdout).toMatch(/^andon - OEE and predictive maintenance over MQTT/);
    expect(p.stdout).toMatch(/andon bench dashboard\|pdm\|fuzz\|forward/);
  });

  it("names an unknown option or a missing value, without a stack trace, and exits 2", () => {
    const unknown = andon("bench", "ingest", "--bogus");
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toBe("andon bench: Unknown option '--bogus'\n(andon help lists the commands and their options)\n");
    const missing = andon("pdm", "evaluate", "--dataset");
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/^andon pdm: Option '--dataset <value>' argument missing\n/);
    expect(missing.stderr).not.toMatch(/\n\s+at /);
  });
});
