"use client";

// The machine page's command panel: send a command (a hazardous one only after a second, explicit
// confirmation), then follow it live until the machine has answered; the machine's command history.
// Live: the machine's command stream pushes each command on every status change; while the stream is
// down the panel polls (every second while a command is on its way, every 10 s otherwise).
import { useCallback, useEffect, useMemo, useState } from "react";
import type { commandTypes } from "#lib/features/dashboard/commands-api.ts";
import { type CommandRow, CommandTable, isFinalStatus } from "./command-table.tsx";
import { useEventStream } from "./use-event-stream.ts";

type Types = ReturnType<typeof commandTypes>;

export interface Prefill {
  type?: string;
  alertId?: string;
  note?: string;
}

const EXPIRIES = [
  { s: 60, label: "1 minute" },
  { s: 300, label: "5 minutes" },
  { s: 900, label: "15 minutes" },
  { s: 3600, label: "1 hour" },
  { s: 8 * 3600, label: "8 hours" },
];

export function CommandPanel({
  machineKey,
  machineName,
  timeZone,
  types,
  initial,
  prefill,
}: {
  machineKey: string;
  machineName: string;
  timeZone: string;
  types: Types;
  initial: CommandRow[];
  prefill: Prefill;
}) {
  const sendable = types.types.filter((t) => t.maySend);
  const [commands, setCommands] = useState(initial);
  const [type, setType] = useState(sendable.find((t) => t.type === prefill.type)?.type ?? sendable[0]?.type ?? "");
  const [speed, setSpeed] = useState(prefill.type === "slow_down" ? "70" : "90");
  const [text, setText] = useState(prefill.note ?? "");
  const [priority, setPriority] = useState("normal");
  const [expiresInS, setExpiresInS] = useState(300);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [sent, setSent] = useState<string | null>(null);
  const spec = types.types.find((t) => t.type === type);
  const url = `/api/v1/machines/${machineKey}/commands`;

  const reload = useCallback(async () => {
    const res = await fetch(`${url}?limit=50`, { cache: "no-store" }).catch(() => null);
    if (res?.ok) setCommands(((await res.json()) as { commands: CommandRow[] }).commands);
  }, [url]);

  const live = useEventStream(`${url}/stream`, {
    command: (data) => {
      const c = JSON.parse(data) as CommandRow;
      setCommands((list) => (list.some((x) => x.id === c.id) ? list.map((x) => (x.id === c.id ? c : x)) : [c, ...list].slice(0, 50)));
    },
    resync: () => void reload(),
  });
  // (re)opened: what changed before it opened is read once
  useEffect(() => {
    if (live) void reload();
  }, [live, reload]);
  const pending = useMemo(() => commands.some((c) => !isFinalStatus(c.status)), [commands]);
  useEffect(() => {
    if (live) return;
    const t = setInterval(() => void reload(), pending ? 1000 : 10_000);
    return () => clearInterval(t);
  }, [live, pending, reload]);

  const params = (): Record<string, unknown> => {
    switch (type) {
      case "set_speed":
      case "slow_down":
        return { speed_pct: Number(speed) };
      case "stop":
        return text.trim() ? { reason: text.trim() } : {};
      case "request_inspection":
        return { note: text, priority, ...(prefill.alertId ? { alert_id: prefill.alertId } : {}) };
      case "ack_hmi_alarm":
        return { alarm_code: text };
      default:
        return {};
    }
  };

  async function send(confirm: boolean) {
    setBusy(true);
    setError(null);
    try {
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          id: crypto.randomUUID(),
          type,
          params: params(),
          expiresInS,
          ...(confirm ? { confirm: true } : {}),
          ...(prefill.alertId ? { alertId: prefill.alertId } : {}),
        }),
      });
      const body = (await res.json().catch(() => ({}))) as { command?: CommandRow; error?: { message: string } };
      if (!res.ok || !body.command) {
        // back to the form: the user corrects the input and confirms again
        setConfirming(false);
        setError(body.error?.message ?? `the server answered ${res.status}`);
        return;
      }
      setSent(body.command.id);
      setConfirming(false);
      await reload();
    } catch (e) {
      setConfirming(false);
      setError(`could not reach the server (${(e as Error).message}); nothing was sent — try again`);
    } finally {
      setBusy(false);
    }
  }

  async function cancel(id: string) {
    const res = await fetch(`/api/v1/commands/${id}/cancel`, { method: "POST" });
    if (!res.ok) setError(((await res.json().catch(() => ({}))) as { error?: { message: string } }).error?.message ?? `cancel failed (${res.status})`);
    await reload();
  }

  const textLabel = type === "stop" ? "Reason (optional)" : type === "request_inspection" ? "What to inspect" : type === "ack_hmi_alarm" ? "Alarm code" : null;
  return (
    <div className="card" data-testid="command-panel" id="commands">
      <h2>
        Commands <small>sent over MQTT; the machine answers accepted, completed, rejected or failed</small>
      </h2>
      {sendable.length === 0 ? (
        <div className="muted">Your role cannot send commands to machines; the history below is read-only.</div>
      ) : (
        <form
          className="command-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (spec?.hazardous) setConfirming(true);
            else void send(false);
          }}
        >
          {/* what is confirmed is what is shown: no edits while the confirmation is open */}
          <fieldset disabled={confirming} className="plain">
            <label>
              Command
              <select
                value={type}
                onChange={(e) => {
                  setType(e.target.value);
                  setConfirming(false);
                  setError(null);
                }}
                data-testid="command-type"
              >
                {sendable.map((t) => (
                  <option key={t.type} value={t.type}>
                    {t.title}
                    {t.hazardous ? " ⚠" : ""}
                  </option>
                ))}
              </select>
            </label>
            {type === "set_speed" || type === "slow_down" ? (
              <label>
                Speed (% of nominal)
                <input type="number" value={speed} onChange={(e) => setSpeed(e.target.value)} data-testid="command-speed" />
              </label>
            ) : null}
            {textLabel ? (
              <label className="grow">
                {textLabel}
                <input value={text} onChange={(e) => setText(e.target.value)} maxLength={500} data-testid="command-text" />
              </label>
            ) : null}
            {type === "request_inspection" ? (
              <label>
                Priority
                <select value={priority} onChange={(e) => setPriority(e.target.value)}>
                  <option value="normal">normal</option>
                  <option value="urgent">urgent</option>
                </select>
              </label>
            ) : null}
            <label>
              Not after
              <select value={expiresInS} onChange={(e) => setExpiresInS(Number(e.target.value))}>
                {EXPIRIES.map((x) => (
                  <option key={x.s} value={x.s}>
                    {x.label}
                  </option>
                ))}
              </select>
            </label>
            <button type="submit" className="button" disabled={busy || confirming} data-testid="command-send">
              Send
            </button>
          </fieldset>
        </form>
      )}
      {confirming && spec ? (
        <div className="confirm-box" role="alertdialog" aria-label="confirm the command">
          <b>
            {spec.title} on {machineName}?
          </b>{" "}
          {Object.keys(params()).length ? (
            <span data-testid="confirm-params">
              (
              {Object.entries(params())
                .map(([k, v]) => `${k} ${String(v)}`)
                .join(", ")}
              ){" "}
            </span>
          ) : null}
          This moves or stops machinery. Make sure nobody is inside the guarding and the machine is safe to {type.replace("_", " ")}.
          <div className="dialog-actions">
            <button type="button" className="button danger" disabled={busy} onClick={() => void send(true)} data-testid="command-confirm">
              Yes, {spec.title.toLowerCase()}
            </button>
            <button type="button" className="link-button" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </div>
        </div>
      ) : null}
      {prefill.alertId ? <div className="muted small">Prepared from alert {prefill.alertId.slice(0, 8)}.</div> : null}
      {error ? (
        <div className="form-error" role="alert" data-testid="command-error">
          {error}
        </div>
      ) : null}
      {sent ? <div className="muted small">Queued; the status below updates {live ? "live" : "every second"}.</div> : null}
      <CommandTable commands={commands} timeZone={timeZone} onCancel={sendable.length ? cancel : undefined} cancellable={sendable.map((t) => t.type)} />
    </div>
  );
}
