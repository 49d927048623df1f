// Every change of a command's status is announced with a PostgreSQL NOTIFY sent inside the
// transaction that makes it: PostgreSQL delivers it when (and only if) that transaction commits, to
// every session that LISTENs, whichever process wrote it (the command service, or a dashboard that
// queued or cancelled). The dashboard LISTENs to push a command's lifecycle to the machine page.
import pg from "pg";
import type { Prisma } from "./client.ts";

export const COMMAND_STATUS_CHANNEL = "andon_command_status";

/** What a notification carries (well under PostgreSQL's 8000-byte payload limit). */
export interface CommandStatusNote {
  id: string;
  machineKey: string;
  siteKey: string;
  status: string;
}

/** Announces the change; call inside the transaction that writes it. */
export async function notifyCommandStatus(tx: Prisma.TransactionClient, n: CommandStatusNote): Promise<void> {
  const note = JSON.stringify({ id: n.id, machineKey: n.machineKey, siteKey: n.siteKey, status: n.status });
  await tx.$executeRaw`SELECT pg_notify(${COMMAND_STATUS_CHANNEL}, ${note})`;
}

export function parseCommandStatusNote(payload: string | undefined): CommandStatusNote | undefined {
  try {
    const n = JSON.parse(payload ?? "") as Partial<CommandStatusNote>;
    if (typeof n.id === "string" && typeof n.machineKey === "string" && typeof n.siteKey === "string" && typeof n.status === "string") {
      return { id: n.id, machineKey: n.machineKey, siteKey: n.siteKey, status: n.status };
    }
  } catch {}
  return undefined;
}

export interface CommandStatusListener {
  close(): Promise<void>;
}

/**
 * LISTENs on a connection of its own, reconnecting every `retryMs` while the database is away.
 * `onConnect` runs on every (re)connection: notifications sent while disconnected are lost, so a
 * listener may want to read afresh.
 */
export function listenCommandStatus(
  databaseUrl: string,
  o: { onNote: (n: CommandStatusNote) => void; onConnect?: () => void; retryMs?: number },
): CommandStatusListener {
  let closed = false;
  let client: pg.Client | undefined;
  let timer: NodeJS.Timeout | undefined;
  const retry = () => {
    client = undefined;
    if (!closed) timer ??= setTimeout(connect, o.retryMs ?? 1000);
  };
  const connect = async () => {
    timer = undefined;
    const c = new pg.Client({ connectionString: databaseUrl });
    client = c;
    let failed = false;
    const fail = () => {
      if (failed) return;
      failed = true;
      c.end().catch(() => undefined);
      retry();
    };
    c.on("error", fail);
    c.on("end", fail);
    c.on("notification", (m) => {
      const n = m.channel === COMMAND_STATUS_CHANNEL ? parseCommandStatusNote(m.payload) : undefined;
      if (n) o.onNote(n);
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${COMMAND_STATUS_CHANNEL}`);
      if (closed) await c.end();
      else o.onConnect?.();
    } catch {
      fail();
    }
  };
  void connect();
  return {
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await client?.end().catch(() => undefined);
    },
  };
}
