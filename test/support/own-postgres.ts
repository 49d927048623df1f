// A PostgreSQL cluster of the test's own (initdb in a temp folder, a free port), so a test can restart
// it without touching the shared server on 5432. Run as the postgres user when the test runs as root
// (initdb and postgres refuse root).
import { execFileSync } from "node:child_process";
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "#lib/features/stack/net.ts";

const BIN = "/usr/lib/postgresql/15/bin";

export interface OwnPostgres {
  port: number;
  url(database: string): string;
  /** pg_ctl stop -m fast: every connection is terminated; `start()` brings it back */
  down(): void;
  start(): void;
  /** stops the server and removes its folder */
  stop(): void;
}

export async function startOwnPostgres(): Promise<OwnPostgres> {
  const dir = mkdtempSync(join(tmpdir(), "andon-own-pg-"));
  chmodSync(dir, 0o711);
  const data = join(dir, "data");
  mkdirSync(data, { mode: 0o700 });
  const root = process.getuid?.() === 0;
  if (root) {
    const pw = execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim();
    const gr = execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim();
    chownSync(dir, Number(pw), Number(gr));
    chownSync(data, Number(pw), Number(gr));
  }
  const run = (bin: string, args: string[]) =>
    execFileSync(root ? "runuser" : join(BIN, bin), root ? ["-u", "postgres", "--", join(BIN, bin), ...args] : args, { stdio: "pipe", timeout: 120_000 });
  run("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"]);
  const port = await freePort();
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
  const log = join(dir, "postgres.log");
  run("pg_ctl", ["-D", data, "-o", opts, "-l", log, "-w", "-t", "60", "start"]);
  return {
    port,
    url: (database) => `postgresql://postgres@127.0.0.1:${port}/${database}`,
    down: () => void run("pg_ctl", ["-D", data, "-m", "fast", "-w", "-t", "60", "stop"]),
    start: () => void run("pg_ctl", ["-D", data, "-o", opts, "-l", log, "-w", "-t", "60", "start"]),
    stop: () => {
      try {
        run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "-t", "60", "stop"]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
