// The command service's leader lock (lib/adapters/db/commands-lock.ts) against a stand-in for pg:
// a standby asks again every 2 s and says so once; a database error ends the wait.
import { describe, expect, it, vi } from "vitest";

/** what each pg_try_advisory_lock answers, in order (an Error is thrown) */
const answers: unknown[] = [];
vi.mock("pg", () => {
  class Client {
    on() {}
    async connect() {}
    async query() {
      const a = answers.shift();
      if (a instanceof Error) throw a;
      return { rows: [{ ok: a }] };
    }
    async end() {}
  }
  return { default: { Client } };
});
const { takeCommandLeadership } = await import("#lib/adapters/db/commands-lock.ts");

describe("command service leader lock", () => {
  it("stands by while another service holds the lock, then leads", { timeout: 10_000 }, async () => {
    answers.push(false, true);
    const info = vi.fn();
    const t = Date.now();
    await takeCommandLeadership({ databaseUrl: "postgres://stand-in", log: { info } as never, onLost: () => {} });
    expect(Date.now() - t).toBeGreaterThanOrEqual(1900);
    expect(info).toHaveBeenCalledExactlyOnceWith("another command service is active on this database; standing by");
  });

  it("a database error while standing by ends the wait with that error", { timeout: 10_000 }, async () => {
    answers.push(false, new Error("connection terminated"));
    await expect(takeCommandLeadership({ databaseUrl: "postgres://stand-in", log: { info() {} } as never, onLost: () => {} })).rejects.toThrow(
      "connection terminated",
    );
  });
});
