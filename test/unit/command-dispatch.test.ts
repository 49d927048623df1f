// The command service's decisions: what is sent next, what expires, which sites are held, what an
// answer does. Pure: lib/domain/commands/dispatch.ts and answers.ts.
import { describe, expect, it } from "vitest";
import { judgeAnswer } from "#lib/domain/commands/answers.ts";
import { completionOverdue, isExpired, isLinkUp, messageExpiryS, queuedExpiryReason, toSend, unansweredBefore } from "#lib/domain/commands/dispatch.ts";

const head = (id: string, machineId: string, siteKey = "acme/dresden") => ({ id, machineId, siteKey });

describe("command dispatch", () => {
  it("sends each machine's oldest queued command, none to a machine with one in flight", () => {
    const heads = [head("a", "m1"), head("b", "m2"), head("c", "m1"), head("d", "m3")];
    expect([...toSend(heads, ["m2"], new Set())].map((c) => c.id)).toEqual(["a", "d"]);
  });

  it("holds the commands of a site whose link is down, and reads the link state as it goes", () => {
    const held = new Set<string>();
    const heads = [head("a", "m1", "acme/dresden"), head("b", "m2", "acme/lyon"), head("c", "m3", "acme/dresden")];
    const taken: string[] = [];
    for (const c of toSend(heads, [], held)) {
      taken.push(c.id);
      held.add("acme/dresden"); // the link drops during the round
    }
    expect(taken).toEqual(["a", "b"]);
  });

  it("a command expires at its expiry instant, not a millisecond later", () => {
    expect(isExpired(1000, 999)).toBe(false);
    expect(isExpired(1000, 1000)).toBe(true);
  });

  it("says why a queued command expired: a held site or a command still in flight", () => {
    expect(queuedExpiryReason(true)).toMatch(/link to the central broker was down/);
    expect(queuedExpiryReason(false)).toMatch(/earlier command to the machine was still in flight/);
  });

  it("gives a SENT command up only after its expiry plus the answer grace", () => {
    expect(unansweredBefore(100_000, 30)).toBe(70_000);
  });

  it("fails an accepted command once its type's completion time has passed", () => {
    expect(completionOverdue(0, 60, 59_999)).toBe(false);
    expect(completionOverdue(0, 60, 60_000)).toBe(true);
    expect(completionOverdue(undefined, 60, 1e12)).toBe(false);
  });

  it("message expiry: the whole seconds left, at least 1", () => {
    expect(messageExpiryS(10_500, 0)).toBe(11);
    expect(messageExpiryS(10, 0)).toBe(1);
  });

  it("a bridge state is up only for 1", () => {
    expect(isLinkUp("1\n")).toBe(true);
    expect(isLinkUp("0")).toBe(false);
    expect(isLinkUp("")).toBe(false);
  });
});

describe("command answers", () => {
  const answer = { id: "c1", status: "completed" as const, ts: "2026-01-01T00:00:00Z" };
  const command = { id: "c1", machineKey: "acme/dresden/a/l/m1", status: "SENT" as const };

  it("applies an answer from the machine the command was sent to", () => {
    expect(judgeAnswer({ ...answer, reason: "done" }, command, command.machineKey)).toEqual({
      command,
      event: { answer: "completed" },
      reason: "done",
    });
  });

  it("dead-letters an answer for an unknown command or from another machine", () => {
    expect(judgeAnswer(answer, undefined, command.machineKey)).toEqual({ deadLetter: "no command c1" });
    expect(judgeAnswer(answer, command, "acme/dresden/a/l/m2")).toEqual({
      deadLetter: "command c1 was sent to acme/dresden/a/l/m1, not to acme/dresden/a/l/m2",
    });
  });

  it("records a late answer to an expired command with a reason saying so", () => {
    const v = judgeAnswer(answer, { ...command, status: "EXPIRED" as const }, command.machineKey);
    expect(v).toMatchObject({ reason: 'answered "completed" at 2026-01-01T00:00:00Z, after Andon had given it up as expired' });
  });
});
