"use client";

import { useCallback, useEffect, useState } from "react";
import {
  ALERT_STATES,
  type AlertFilter,
  type AlertSeverityFilter,
  type AlertState,
  alertFilterQuery,
  statusesOf,
} from "#lib/features/dashboard/alert-filter.ts";
import type { alertJson } from "#lib/features/dashboard/alerts-api.ts";
import { fmtDay } from "./plant-format.ts";
import { useEventStream } from "./use-event-stream.ts";

type AlertRow = ReturnType<typeof alertJson>;

function ago(iso: string): string {
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

export function AlertsInbox({
  initial,
  initialFilter,
  sites,
  canAct,
}: {
  initial: AlertRow[];
  initialFilter: AlertFilter;
  sites: { key: string; name: string; timeZone: string }[];
  canAct: boolean;
}) {
  const [alerts, setAlerts] = useState(initial);
  const [site, setSite] = useState(initialFilter.site);
  const [severity, setSeverity] = useState<AlertSeverityFilter>(initialFilter.severity);
  const [status, setStatus] = useState<AlertState>(initialFilter.state);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<number | null>(null);
  // how many alerts of the same filter the other states hold (shown when the chosen state has none)
  const [elsewhere, setElsewhere] = useState<number | null>(null);

  const load = useCallback(async () => {
    const q = new URLSearchParams();
    if (site) q.set("site", site);
    if (severity) q.set("severity", severity);
    const statuses = statusesOf(status);
    if (statuses) q.set("status", statuses.join(","));
    const res = await fetch(`/api/v1/alerts?${q}`, { cache: "no-store" }).catch(() => null);
    if (!res?.ok) return;
    const chosen = (await res.json()) as { alerts: AlertRow[]; open: number; byStatus: Record<string, number> };
    setAlerts(chosen.alerts);
    setOpen(chosen.open);
    // the API counts every status of the same filter: what the other states hold, without a second request
    setElsewhere(statuses ? Object.entries(chosen.byStatus).reduce((n, [st, c]) => (statuses.includes(st) ? n : n + c), 0) : null);
  }, [site, severity, status]);

  // the URL follows the filters, so a link (or a reload) shows the same list
  useEffect(() => {
    const want = `${window.location.pathname}${alertFilterQuery({ site, severity, state: status })}`;
    if (want !== `${window.location.pathname}${window.location.search}`) window.history.replaceState(null, "", want);
  }, [site, severity, status]);

  // live: every alert change of your sites arrives as a server-sent event and reloads the list;
  // while the stream is down a slow poll keeps the list fresh
  const live = useEventStream("/api/v1/alerts/stream", { alert: () => void load() });
  useEffect(() => {
    void load();
    if (live) return;
    const t = setInterval(load, 15_000);
    return () => clearInterval(t);
  }, [live, load]);

  const act = async (id: string, what: "acknowledge" | "assign" | "resolve", body?: object) => {
    setError(null);
    const res = await fetch(`/api/v1/alerts/${id}/${what}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body ?? {}),
    }).catch(() => null);
    if (!res?.ok) {
      const e = (await res?.json().catch(() => null)) as { error?: { message?: string } } | null;
      setError(e?.error?.message ?? "The server did not answer. Try again.");
    }
    await load();
  };

  const tz = (key: string) => sites.find((s) => key.startsWith(`${s.key}/`))?.timeZone ?? "UTC";
  return (
    <>
      <div className="toolbar">
        <div className="filters">
          <label>
            Site{" "}
            <select value={site} onChange={(e) => setSite(e.target.value)} aria-label="Site">
              <option value="">all</option>
              {sites.map((s) => (
                <option key={s.key} value={s.key}>
                  {s.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            Severity{" "}
            <select value={severity} onChange={(e) => setSeverity(e.target.value as AlertSeverityFilter)} aria-label="Severity">
              <option value="">all</option>
              <option value="CRITICAL">critical</option>
              <option value="WARNING">warning</option>
            </select>
          </label>
          <label>
            State{" "}
            <select value={status} onChange={(e) => setStatus(e.target.value as AlertState)} aria-label="State">
              {Object.keys(ALERT_STATES).map((k) => (
                <option key={k} value={k}>
                  {k}
                </option>
              ))}
            </select>
          </label>
        </div>
        <span className="muted small" data-testid="live">
          {live ? "live" : "reconnecting…"}
        </span>
        {open !== null ? (
          <span className={open > 0 ? "badge" : "badge none"} data-testid="open-count">
            {open} open
          </span>
        ) : null}
      </div>
      {error ? (
        <div className="form-error" role="alert">
          {error}
        </div>
      ) : null}
      {alerts.length === 0 ? (
        <div className="empty">
          {status === "all" ? (
            "No alerts match."
          ) : (
            <>
              No {status} alerts{site || severity ? " match" : ""}. {elsewhere ? `${elsewhere} in the other states.` : null}
              <button type="button" className="link-button" onClick={() => setStatus("all")}>
                Show alerts in every state
              </button>{" "}
              (cleared and resolved ones stay listed with their explanation).
            </>
          )}
        </div>
      ) : null}
      {alerts.map((a) => (
        <div key={a.id} className={`card alert ${a.severity.toLowerCase()}`} data-testid={`alert-${a.cause}`}>
          <h2>
            <span className={`sev ${a.severity.toLowerCase()}`}>{a.severity.toLowerCase()}</span>{" "}
            <a href={`/sites/${a.machineKey}`}>{a.machineKey.split("/").slice(2).join(" / ")}</a>{" "}
            <small>
              {a.siteKey.split("/")[1]} · {a.status.toLowerCase()}
            </small>
          </h2>
          <div>{a.explanation}</div>
          <div className="muted small">
            {a.feature} = {a.value.toFixed(3)}
            {a.baseline !== null ? ` (baseline ${a.baseline.toFixed(3)})` : ""}
            {a.zone ? ` · ISO zone ${a.zone}` : ""} · since {fmtDay(Date.parse(a.onsetAt), tz(a.machineKey))} ({ago(a.onsetAt)}), last seen {ago(a.lastSeenAt)}
            {a.flaps ? ` · came back ${a.flaps}×` : ""} · {a.detectorVersion}
          </div>
          <div className="small">
            Suggested: {a.suggestedAction}
            {a.acknowledgedBy ? ` · acknowledged by ${a.acknowledgedBy}` : ""}
            {a.assignee ? ` · assigned to ${a.assignee}` : ""}
            {a.resolvedBy ? ` · resolved by ${a.resolvedBy}: ${a.resolveNote}` : ""}
          </div>
          {canAct && (a.status === "OPEN" || a.status === "ACKNOWLEDGED") ? (
            <>
              <div className="small">
                Prepare a command:{" "}
                <a href={`/sites/${a.machineKey}?command=request_inspection&alert=${a.id}#commands`} data-testid="prepare-inspection">
                  request inspection
                </a>{" "}
                · <a href={`/sites/${a.machineKey}?command=slow_down&alert=${a.id}#commands`}>slow down</a>
              </div>
              <AlertActions id={a.id} status={a.status} onAct={act} />
            </>
          ) : null}
        </div>
      ))}
    </>
  );
}

function AlertActions({
  id,
  status,
  onAct,
}: {
  id: string;
  status: string;
  onAct: (id: string, what: "acknowledge" | "assign" | "resolve", body?: object) => Promise<void>;
}) {
  const [note, setNote] = useState("");
  const [assignee, setAssignee] = useState("");
  return (
    <div className="alert-actions">
      {status === "OPEN" ? (
        <button type="button" className="button" onClick={() => onAct(id, "acknowledge")}>
          Acknowledge
        </button>
      ) : null}
      <input aria-label="Assign to" placeholder="assign to…" value={assignee} onChange={(e) => setAssignee(e.target.value)} maxLength={100} />
      <button type="button" className="link-button" disabled={!assignee.trim()} onClick={() => onAct(id, "assign", { assignee })}>
        Assign
      </button>
      <input aria-label="Resolution note" placeholder="what was found and done" value={note} onChange={(e) => setNote(e.target.value)} maxLength={2000} />
      <button type="button" className="link-button" disabled={!note.trim()} onClick={() => onAct(id, "resolve", { note })}>
        Resolve
      </button>
    </div>
  );
}
