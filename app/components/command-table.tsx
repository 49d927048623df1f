"use client";

// Commands with their status and every transition: the machine page's history and the site's.
import { isFinal } from "#lib/domain/commands/lifecycle.ts";
import type { commandJson } from "#lib/features/commands/store.ts";

export type CommandRow = ReturnType<typeof commandJson>;

const FINAL = ["COMPLETED", "REJECTED", "FAILED", "EXPIRED", "CANCELLED"];
export const isFinalStatus = (s: string) => FINAL.includes(s);

const STATUS_TEXT: Record<string, string> = {
  CREATED: "created",
  QUEUED: "queued",
  SENT: "sent, waiting for the machine",
  ACCEPTED: "accepted, in progress",
  COMPLETED: "completed",
  REJECTED: "rejected",
  FAILED: "failed",
  EXPIRED: "expired",
  CANCELLED: "cancelled",
};

export function CommandTable({
  commands,
  timeZone,
  showMachine = false,
  onCancel,
  cancellable = [],
}: {
  commands: CommandRow[];
  timeZone: string;
  showMachine?: boolean;
  onCancel?: ((id: string) => Promise<void>) | undefined;
  /** the command types the user may send, and so cancel */
  cancellable?: readonly string[];
}) {
  const t = (iso: string) =>
    new Intl.DateTimeFormat("en-GB", { timeZone, day: "2-digit", month: "short", hour: "2-digit", minute: "2-digit", second: "2-digit" }).format(new Date(iso));
  if (commands.length === 0) return <div className="empty">No commands yet.</div>;
  return (
    <table className="reasons commands" data-testid="command-table">
      <thead>
        <tr>
          <th>Requested ({timeZone})</th>
          {showMachine ? <th>Machine</th> : null}
          <th>Command</th>
          <th>Status</th>
          <th>By</th>
          <th>Transitions</th>
        </tr>
      </thead>
      <tbody>
        {commands.map((c) => (
          <tr key={c.id} data-testid={`command-${c.id}`}>
            <td>{t(c.createdAt)}</td>
            {showMachine ? (
              <td>
                <a href={`/sites/${c.machineKey}`}>{c.machineKey.split("/").slice(2).join(" / ")}</a>
              </td>
            ) : null}
            <td>
              {c.type.replaceAll("_", " ")}{" "}
              <span className="muted small">
                {Object.entries(c.params)
                  .map(([k, v]) => `${k}=${String(v)}`)
                  .join(" ")}
              </span>
            </td>
            <td>
              <span className={`cmd-status ${c.status.toLowerCase()}`} data-testid="command-status">
                {STATUS_TEXT[c.status] ?? c.status}
              </span>
              {c.reason ? <div className="small">{c.reason}</div> : null}
              {onCancel && c.status === "QUEUED" && cancellable.includes(c.type) ? (
                <button type="button" className="link-button" onClick={() => void onCancel(c.id)}>
                  cancel
                </button>
              ) : null}
            </td>
            <td>{c.requestedBy}</td>
            <td className="muted small">
              {c.events.map((e) => `${t(e.at).slice(-8)} ${e.to.toLowerCase()}`).join(" → ")}
              {/* the deadline matters while the command may still run; a finished one shows how it ended above */}
              {isFinal(c.status) ? null : <div>not after {t(c.expiresAt)}</div>}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
