// The QuestDB Andon runs: its HTTP endpoint (/exec, ILP over HTTP) needs the generated credentials,
// and its server.conf (both passwords) is readable by its owner only.
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { questExec, redactUrl } from "#lib/adapters/questdb/http.ts";
import { questPool, waitWalApplied } from "#lib/adapters/questdb/pg.ts";
import { QuestWriter } from "#lib/adapters/questdb/writer.ts";
import { freePort } from "#lib/features/stack/net.ts";
import { ensureQuestDbJar, startQuestDb } from "#lib/features/stack/questdb.ts";
import { config } from "#lib/platform/config.ts";

const stack = inject("stack");
const withoutCredentials = (url: string) => {
  const u = new URL(url);
  u.username = "";
  u.password = "";
  return u.toString().replace(/\/$/, "");
};
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("QuestDB credentials", () => {
  it("the test stack's QuestDB URL carries a generated user and password", () => {
    const u = new URL(stack.QUESTDB_HTTP_URL);
    expect(u.username).toBe("andon");
    expect(u.password.length).toBeGreaterThanOrEqual(16);
    expect(redactUrl(stack.QUESTDB_HTTP_URL)).not.toContain(u.password);
  });

  it("/exec without credentials, or with a wrong password, is refused; with them it answers", async () => {
    const bare = withoutCredentials(stack.QUESTDB_HTTP_URL);
    const res = await fetch(`${bare}/exec?query=${encodeURIComponent("SELECT 1")}`);
    expect(res.status).toBe(401);
    const wrong = new URL(stack.QUESTDB_HTTP_URL);
    wrong.password = "not-the-password";
    const refused = await questExec(wrong.toString(), "SELECT 1").catch((e: Error) => e);
    expect(refused).toBeInstanceOf(Error);
    expect((refused as Error).message).toMatch(/refused the credentials \(HTTP 401\)/);
    expect((refused as Error).message).not.toContain("not-the-password");
    expect((await questExec(stack.QUESTDB_HTTP_URL, "SELECT 1")).dataset).toEqual([[1]]);
  });

  it("ILP over HTTP writes with the credentials in the URL, and is refused without them", async () => {
    const table = `auth_probe_${randomBytes(3).toString("hex")}`;
    const row = { table, symbols: [["k", "v"]] as [string, string][], fields: [{ kind: "float" as const, name: "x", value: 1.5 }], ts: Date.now() * 1000 };
    const anonymous = new QuestWriter({ httpUrl: withoutCredentials(stack.QUESTDB_HTTP_URL) });
    await expect(anonymous.write([row])).rejects.toThrow();
    await anonymous.close();
    const writer = new QuestWriter({ httpUrl: stack.QUESTDB_HTTP_URL });
    await writer.write([row]);
    await writer.close();
    const pool = questPool(stack.QUESTDB_PG_URL, stack.QUESTDB_PG_PASSWORD);
    try {
      await waitWalApplied(pool, [table]);
      expect((await pool.query(`SELECT x FROM ${table}`)).rows).toEqual([{ x: 1.5 }]);
    } finally {
      await pool.end();
    }
  });

  it("server.conf is written 0600, also over a file that was world-readable", { timeout: 180_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "andon-qdb-auth-"));
    dirs.push(dir);
    const root = join(dir, "root");
    mkdirSync(join(root, "conf"), { recursive: true });
    writeFileSync(join(root, "conf", "server.conf"), "# left by an older version\n", { mode: 0o644 });
    const q = await startQuestDb({
      jar: await ensureQuestDbJar(config().ANDON_HOME, config().QUESTDB_VERSION),
      root,
      ports: { http: await freePort(), pg: await freePort(), ilp: await freePort(), health: await freePort() },
      pgPassword: randomBytes(12).toString("hex"),
      httpPassword: randomBytes(12).toString("hex"),
      heap: "256m",
    });
    try {
      expect(statSync(q.confFile).mode & 0o777).toBe(0o600);
      expect((await fetch(`${withoutCredentials(q.httpUrl)}/exec?query=SELECT%201`)).status).toBe(401);
    } finally {
      await q.stop();
    }
  });
});
