// The command contract, the lifecycle table and how a simulated machine obeys: pure, no I/O.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CommandRequest, CommandResponse, parseCommandParams } from "#lib/contract/commands.ts";
import { machineOfCommandTopic } from "#lib/contract/topics.ts";
import { COMMAND_STATUSES, type CommandEvent, FINAL, nextStatus } from "#lib/domain/commands/lifecycle.ts";
import { MachineSim } from "#lib/features/sim/machine.ts";
import { repoRoot } from "#lib/platform/config.ts";
import { testMachine } from "../support/machine.ts";

const machine = testMachine({
  slug: "cnc-01",
  name: "CNC",
  idealCycleTimeS: 2,
  vibrationGroup: "GROUP_2",
  foundation: "RIGID",
  nominalSpeedRpm: 1500,
  hasWaveformSensor: false,
});

/** Every event the lifecycle knows. */
const EVENTS: CommandEvent[] = [
  "queue",
  "send",
  "cancel",
  "expire",
  "complete_timeout",
  { answer: "accepted" },
  { answer: "rejected" },
  { answer: "completed" },
  { answer: "failed" },
];

describe("command lifecycle", () => {
  it("final states only change on evidence from the machine (a late answer to an expired command)", () => {
    for (const from of FINAL) {
      const moves = EVENTS.map((e) => nextStatus(from, e)).filter(Boolean);
      expect(moves, from).toEqual(from === "EXPIRED" ? ["COMPLETED", "FAILED"] : []);
    }
  });

  it.each([
    ["QUEUED", "send", "SENT"],
    ["QUEUED", "cancel", "CANCELLED"],
    ["SENT", "cancel", undefined],
    ["SENT", "expire", "EXPIRED"],
    ["ACCEPTED", "expire", undefined],
    ["ACCEPTED", "complete_timeout", "FAILED"],
    ["SENT", { answer: "accepted" }, "ACCEPTED"],
    ["ACCEPTED", { answer: "accepted" }, undefined],
    ["EXPIRED", { answer: "accepted" }, undefined],
    ["EXPIRED", { answer: "completed" }, "COMPLETED"],
    ["ACCEPTED", { answer: "rejected" }, undefined],
    ["SENT", { answer: "completed" }, "COMPLETED"],
    ["QUEUED", { answer: "completed" }, undefined],
  ] as const)("%s + %j -> %s", (from, event, to) => {
    expect(nextStatus(from, event as CommandEvent)).toBe(to);
  });

  it("every status is reachable from CREATED", () => {
    const seen = new Set(["CREATED"]);
    for (let i = 0; i < 5; i++) for (const s of [...seen]) for (const e of EVENTS) seen.add(nextStatus(s as never, e) ?? s);
    expect([...seen].sort()).toEqual([...COMMAND_STATUSES].sort());
  });
});

describe("command contract", () => {
  it("parses parameters per type, naming the parameter", () => {
    expect(parseCommandParams("slow_down", {})).toEqual({ ok: true, params: { speed_pct: 70 } });
    expect(parseCommandParams("set_speed", { speed_pct: "fast" })).toEqual({
      ok: false,
      reason: "params.speed_pct: speed_pct must be a number (percent of the nominal speed)",
    });
    expect(parseCommandParams("stop", { force: true })).toEqual({ ok: false, reason: "params: unknown force for stop" });
    expect(parseCommandParams("request_inspection", { note: " " })).toEqual({ ok: false, reason: "params.note: say what to inspect" });
  });

  it("names hostile parameters briefly: many long keys, deep nesting, huge strings, __proto__", () => {
    const many = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`${"k".repeat(1000)}${i}`, 1]));
    const r = parseCommandParams("stop", many);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason.length).toBeLessThanOrEqual(400);
      expect(r.reason).toMatch(/^params: unknown ("k+…, ){4}"k+… and 9995 more for stop$/);
    }
    const deep = JSON.parse(`{"note":${"[".repeat(5000)}${"]".repeat(5000)}}`);
    for (const params of [deep, { note: "n".repeat(1 << 20) }, JSON.parse('{"__proto__":{"note":"x"},"note":"y"}'), [], "text", 7]) {
      const p = parseCommandParams("request_inspection", params);
      expect(p.ok).toBe(false);
      if (!p.ok) expect(p.reason.length).toBeLessThanOrEqual(400);
    }
  });

  it("recognises command and response topics", () => {
    expect(machineOfCommandTopic("acme/dresden/machining/line-1/cnc-01/command")).toEqual({ key: "acme/dresden/machining/line-1/cnc-01", response: false });
    expect(machineOfCommandTopic("acme/dresden/machining/line-1/cnc-01/command/response")).toEqual({
      key: "acme/dresden/machining/line-1/cnc-01",
      response: true,
    });
    expect(machineOfCommandTopic("acme/dresden/machining/line-1/cnc-01/state")).toBeUndefined();
    expect(machineOfCommandTopic("acme/Dresden/machining/line-1/cnc-01/command")).toBeUndefined();
  });

  it("requires a reason for rejected and failed answers", () => {
    const base = { v: 1, id: "0b9975ca-c97c-4501-b46e-cabea99bbe69", ts: "2026-11-25T10:00:00Z" };
    expect(CommandResponse.safeParse({ ...base, status: "failed" }).success).toBe(false);
    expect(CommandResponse.safeParse({ ...base, status: "failed", reason: "motor overload" }).success).toBe(true);
    expect(CommandResponse.safeParse({ ...base, status: "completed" }).success).toBe(true);
  });
});

describe("a simulated machine obeys commands", () => {
  const t0 = Date.parse("2026-11-25T10:00:00Z");
  it("stops producing and reports it, starts again, and a new speed changes its cycle time", () => {
    const sim = new MachineSim(machine, { seed: 1, waveformEvery: 0 });
    sim.tick(t0);
    expect(sim.execute("stop", { reason: "guard open" }, t0 + 1000)).toEqual({ status: "completed" });
    const out = sim.tick(t0 + 2000);
    expect(out.find((m) => m.channel === "state")?.payload).toMatchObject({ state: "stopped", reason: "remote stop: guard open" });
    // an hour later it is still stopped and made nothing
    let made = 0;
    for (let t = t0 + 3000; t < t0 + 3_600_000; t += 1000) {
      const c = sim.tick(t).find((m) => m.channel === "counts")?.payload as { mode: string; total: number };
      made += c.mode === "delta" ? c.total : 0;
    }
    expect(sim.state).toBe("stopped");
    expect(made).toBe(0);
    expect(sim.execute("stop", {}, t0 + 3_600_000)).toEqual({ status: "rejected", reason: "already stopped by a command" });
    expect(sim.execute("start", {}, t0 + 3_600_000)).toEqual({ status: "completed" });
    expect(sim.state).toBe("running");
    expect(sim.execute("start", {}, t0 + 3_600_000)).toEqual({ status: "rejected", reason: "not stopped by a command (the machine is running)" });
  });

  it("makes parts at half the rate at 50 % speed (parts per running second, same seed)", () => {
    const rate = (speed?: number) => {
      const sim = new MachineSim({ ...machine }, { seed: 3, waveformEvery: 0 });
      sim.tick(t0);
      if (speed) expect(sim.execute("set_speed", { speed_pct: speed }, t0).status).toBe("completed");
      let prev = 0;
      let parts = 0;
      let runningS = 0;
      for (let t = t0 + 1000; t < t0 + 4 * 3_600_000; t += 1000) {
        const c = sim.tick(t).find((m) => m.channel === "counts")?.payload as { mode: string; total: number };
        const made = c.mode === "delta" ? c.total : c.total >= prev ? c.total - prev : c.total; // a PLC restart resets its counter
        prev = c.total;
        if (sim.state === "running") {
          parts += made;
          runningS++;
        }
      }
      return parts / runningS;
    };
    const ratio = rate(50) / rate();
    expect(ratio).toBeGreaterThan(0.4);
    expect(ratio).toBeLessThan(0.6);
  });

  it("rejects out-of-range and pointless commands with a reason", () => {
    const sim = new MachineSim(machine, { seed: 1, waveformEvery: 0 });
    sim.tick(t0);
    expect(sim.execute("set_speed", { speed_pct: 140 }, t0)).toEqual({ status: "rejected", reason: "speed 140 % is outside this machine's range 50-110 %" });
    expect(sim.execute("set_speed", { speed_pct: -5 }, t0)).toEqual({ status: "rejected", reason: "params.speed_pct: speed_pct must be at least 1 %" });
    expect(sim.execute("slow_down", { speed_pct: 80 }, t0)).toEqual({ status: "completed" });
    expect(sim.execute("slow_down", { speed_pct: 90 }, t0)).toEqual({ status: "rejected", reason: "already at 80 %, not faster than 90 %" });
    expect(sim.execute("reset_fault", {}, t0).status).toBe("rejected");
    expect(sim.execute("request_inspection", { note: "listen to the spindle" }, t0)).toEqual({ status: "completed" });
    expect(sim.hmi).toEqual(["inspection (normal): listen to the spindle"]);
  });
});

describe("docs/mqtt.md command examples", () => {
  const md = readFileSync(join(repoRoot, "docs", "mqtt.md"), "utf8");
  const blocks = [...md.matchAll(/```json (command|response) on=(\S+)\n([\s\S]*?)```/g)];
  it("has a request and answers", () => {
    expect(blocks.filter((b) => b[1] === "command").length).toBeGreaterThanOrEqual(1);
    expect(blocks.filter((b) => b[1] === "response").length).toBeGreaterThanOrEqual(3);
  });
  for (const [, kind, topic, body] of blocks) {
    it(`parses the ${kind} example on ${topic}`, () => {
      const where = machineOfCommandTopic(topic as string);
      expect(where?.response).toBe(kind === "response");
      const r = (kind === "command" ? CommandRequest : CommandResponse).safeParse(JSON.parse(body as string));
      expect(r.success, JSON.stringify(r.error?.issues)).toBe(true);
    });
  }
});
