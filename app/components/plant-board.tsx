"use client";

import { useCallback, useEffect, useState } from "react";
import { Bar, BarChart, CartesianGrid, Cell, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { MachineView, PlantView, Segment } from "#lib/features/dashboard/plant.ts";
import { LOSS_COLOR, LOSS_NAME } from "./loss-colors.ts";

const pct = (v: number | null | undefined) => (v === null || v === undefined ? "—" : `${(v * 100).toFixed(1)} %`);
const isStop = (loss: string) => loss !== "PRODUCTIVE" && loss !== "REDUCED_SPEED";

function fmt(ms: number, timeZone: string, seconds = false): string {
  return new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", ...(seconds ? { second: "2-digit" } : {}) }).format(new Date(ms));
}
function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60 ? `${s % 60} s` : ""}`.trim();
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

export function PlantBoard({ initial, canEditReasons }: { initial: PlantView; canEditReasons: boolean }) {
  const [view, setView] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<{ machine: MachineView; seg: Segment } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const tz = view.site.timeZone;

  const refresh = useCallback(async () => {
    const res = await fetch(`/api/v1/sites/${view.site.key}/shift`, { cache: "no-store" }).catch(() => null);
    if (res?.ok) {
      setView((await res.json()) as PlantView);
      setError(null);
    } else setError(res ? `refresh failed (${res.status})` : "the server did not answer; retrying");
  }, [view.site.key]);

  useEffect(() => {
    const t = setInterval(refresh, 5000);
    return () => clearInterval(t);
  }, [refresh]);

  const lines = view.lines.map((l) => ({ ...l, machines: view.machines.filter((m) => m.line === l.key) }));
  const lossHours = view.losses.map((l) => ({ name: l.name, hours: Math.round((l.seconds / 3600) * 100) / 100 }));
  const span = Math.max(1, Math.min(view.now, view.shift.end) - view.shift.start);

  return (
    <div className="plant">
      <div className="plant-head">
        <div>
          <h1>{view.site.name}</h1>
          {view.machines.length === 0 ? (
            <div className="sub">
              {view.site.key} · {tz}
            </div>
          ) : (
            <div className="sub">
              {view.shift.current ? "Current shift" : "Last shift (none running now)"}: <b>{view.shift.label}</b>, {fmt(view.shift.start, tz)}–
              {fmt(view.shift.end, tz)} {tz}. OEE so far from the closed minutes; updates every 5 s.{" "}
              <a href={`/sites/${view.site.key}/commands`}>Command history</a>
            </div>
          )}
        </div>
        <button type="button" className="link-button" onClick={() => document.documentElement.requestFullscreen?.()}>
          Full screen
        </button>
      </div>
      {error ? <div className="banner">{error}</div> : null}
      {notice ? (
        <div className="banner ok" role="status">
          {notice}
        </div>
      ) : null}

      {view.machines.length === 0 ? (
        <div className="empty" data-testid="no-machines">
          <h2>No machines on this site yet</h2>
          <p>An admin adds lines and machines under Assets; the board fills as soon as they send telemetry.</p>
        </div>
      ) : null}

      {lines.map((l) => (
        <div className="card" key={l.key} data-testid={`line-${l.key.split("/").pop()}`}>
          <h2>
            {l.name}{" "}
            <small>
              OEE <b data-testid="line-oee">{pct(l.kpis.oee)}</b> · A {pct(l.kpis.availability)} · P {pct(l.kpis.performance)} · Q {pct(l.kpis.quality)}
            </small>
          </h2>
          <div className="andon">
            {l.machines.map((m) => (
              <div
                key={m.key}
                className="andon-tile"
                style={{ borderColor: LOSS_COLOR[m.loss ?? ""] ?? "#2d3a47", background: `${LOSS_COLOR[m.loss ?? ""] ?? "#2d3a47"}22` }}
                data-testid={`machine-${m.key.split("/").pop()}`}
              >
                <div className="n">
                  <a href={`/sites/${m.key}`}>{m.name}</a>
                </div>
                <div className="s">
                  {m.state ?? "no data"} {m.loss ? <span className="muted">({LOSS_NAME[m.loss]})</span> : null}
                </div>
                <div className="t">{m.since ? `since ${fmt(m.since, tz)} (${duration(view.now - m.since)})` : ""}</div>
                <div className="o">
                  OEE <b data-testid="machine-oee">{pct(m.kpis.oee)}</b>
                  {m.elements.dataGapS > 0 ? (
                    <span title="planned time without any state from the machine"> · {duration(m.elements.dataGapS * 1000)} without data</span>
                  ) : null}
                </div>
              </div>
            ))}
          </div>
          <div className="timelines">
            {l.machines.map((m) => (
              <div className="timeline" key={m.key}>
                <span className="tl-name">{m.name}</span>
                <svg viewBox="0 0 1000 18" preserveAspectRatio="none" role="img" aria-label={`${m.name} states`}>
                  {m.timeline.map((s) => {
                    const x = ((s.start - view.shift.start) / span) * 1000;
                    const w = Math.max(0.5, ((s.end - s.start) / span) * 1000);
                    const editable = canEditReasons && isStop(s.loss);
                    return (
                      // biome-ignore lint/a11y/noStaticElementInteractions: the same action is in the stop list below for keyboard users
                      <rect
                        key={`${s.start}`}
                        x={x}
                        y={0}
                        width={w}
                        height={18}
                        fill={LOSS_COLOR[s.loss] ?? "#444"}
                        className={editable ? "editable" : ""}
                        data-testid={editable ? `stop-${m.key.split("/").pop()}-${s.start}` : undefined}
                        onClick={editable ? () => setEditing({ machine: m, seg: s }) : undefined}
                      >
                        <title>{`${s.state}${s.reason ? ` — ${s.reason}` : ""}: ${fmt(s.start, tz, true)}–${fmt(s.end, tz, true)} (${duration(s.end - s.start)}, ${LOSS_NAME[s.loss]})`}</title>
                      </rect>
                    );
                  })}
                </svg>
              </div>
            ))}
            <div className="tl-axis">
              <span>{fmt(view.shift.start, tz)}</span>
              <span>{fmt(view.shift.start + span, tz)}</span>
            </div>
          </div>
        </div>
      ))}

      <div className="grid2">
        <div className="card">
          <h2>Six big losses, this shift</h2>
          <div className="chart" style={{ height: 260 }}>
            <ResponsiveContainer>
              <BarChart data={lossHours} layout="vertical" margin={{ top: 8, right: 16, bottom: 8, left: 40 }}>
                <CartesianGrid stroke="#2d3a47" strokeDasharray="3 3" />
                <XAxis type="number" unit=" h" stroke="#8b98a5" fontSize={11} />
                <YAxis type="category" dataKey="name" stroke="#8b98a5" fontSize={11} width={150} />
                <Tooltip contentStyle={{ background: "#182029", border: "1px solid #2d3a47" }} formatter={(v) => `${v} machine-h`} />
                <Bar dataKey="hours" isAnimationActive={false}>
                  {lossHours.map((l) => (
                    <Cell key={l.name} fill={l.name.includes("reject") ? "#bc8cff" : l.name === "Breakdowns" ? "#da3633" : "#ff7b72"} />
                  ))}
                </Bar>
              </BarChart>
            </ResponsiveContainer>
          </div>
        </div>
        <div className="card">
          <h2>Top downtime reasons, this shift</h2>
          {view.reasons.length === 0 ? (
            <div className="muted">No unplanned stops so far.</div>
          ) : (
            <table className="reasons" data-testid="reasons">
              <tbody>
                {view.reasons.map((r) => (
                  <tr key={r.reason}>
                    <td>{r.reason}</td>
                    <td className="num">{duration(r.seconds * 1000)}</td>
                    <td className="num muted">{r.stops} stops</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {canEditReasons ? <StopList view={view} onPick={(machine, seg) => setEditing({ machine, seg })} /> : null}
        </div>
      </div>
      {editing ? (
        <ReasonDialog
          view={view}
          machine={editing.machine}
          seg={editing.seg}
          onClose={() => setEditing(null)}
          onSaved={(msg) => {
            setEditing(null);
            setNotice(msg);
            setTimeout(refresh, 1500);
            setTimeout(refresh, 5000);
          }}
        />
      ) : null}
    </div>
  );
}

/** The stops of the shift as a list, to pick one with the keyboard. */
function StopList({ view, onPick }: { view: PlantView; onPick: (m: MachineView, s: Segment) => void }) {
  const stops = view.machines.flatMap((m) => m.timeline.filter((s) => isStop(s.loss)).map((s) => ({ m, s }))).sort((a, b) => b.s.start - a.s.start);
  return (
    <details className="stops">
      <summary>Give a stop a reason ({stops.length} stops this shift)</summary>
      <ul>
        {stops.slice(0, 50).map(({ m, s }) => (
          <li key={`${m.key}-${s.start}`}>
            <button type="button" className="link-button" onClick={() => onPick(m, s)}>
              {m.name}: {s.state}
              {s.reason ? ` — ${s.reason}` : ""}, {fmt(s.start, view.site.timeZone)} ({duration(s.end - s.start)})
            </button>
          </li>
        ))}
      </ul>
    </details>
  );
}

function ReasonDialog({
  view,
  machine,
  seg,
  onClose,
  onSaved,
}: {
  view: PlantView;
  machine: MachineView;
  seg: Segment;
  onClose: () => void;
  onSaved: (m: string) => void;
}) {
  const tz = view.site.timeZone;
  const [reason, setReason] = useState(seg.reason ?? "");
  const [split, setSplit] = useState(false);
  const [at, setAt] = useState(fmt(seg.start + (seg.end - seg.start) / 2, tz, true));
  const [second, setSecond] = useState("");
  const [note, setNote] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  /** A local HH:MM:SS inside the stop, as an instant (the stop lasts less than a day). */
  const atInstant = (): number | null => {
    const m = /^(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(at.trim());
    if (!m) return null;
    const wanted = Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3] ?? 0);
    for (let t = Math.ceil(seg.start / 1000) * 1000; t < seg.end; t += 1000) {
      const [h, mi, s] = fmt(t, tz, true).split(":").map(Number) as [number, number, number];
      if (h * 3600 + mi * 60 + s === wanted) return t;
    }
    return null;
  };

  async function save(e: React.FormEvent) {
    e.preventDefault();
    setError(null);
    const common = { machine: machine.key, start: seg.start, end: seg.end, ...(note.trim() ? { note: note.trim() } : {}) };
    let body: unknown;
    let url = "/api/v1/reasons";
    if (split) {
      const t = atInstant();
      if (t === null) {
        setError(`Split time: enter HH:MM or HH:MM:SS between ${fmt(seg.start, tz, true)} and ${fmt(seg.end, tz, true)}.`);
        return;
      }
      url = "/api/v1/reasons/split";
      body = { ...common, at: t, reasons: [reason.trim(), second.trim()] };
    } else body = { ...common, reason: reason.trim() };
    setBusy(true);
    const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }).catch(() => null);
    setBusy(false);
    if (res?.ok) {
      onSaved(`Saved for ${machine.name}. OEE is being recomputed; the figures update in a few seconds.`);
      return;
    }
    const err = (await res?.json().catch(() => null)) as { error?: { message?: string } } | null;
    setError(err?.error?.message ?? "The server did not answer. Try again.");
  }

  return (
    <div className="dialog-backdrop">
      <form className="dialog" onSubmit={save} aria-label="Downtime reason">
        <h2>
          {machine.name}: {seg.state}
        </h2>
        <div className="sub">
          {fmt(seg.start, tz, true)}–{fmt(seg.end, tz, true)} {tz} ({duration(seg.end - seg.start)}), counted as {LOSS_NAME[seg.loss]}
          {seg.reason ? `, reason now “${seg.reason}”` : ", no reason yet"}.
        </div>
        <label>
          {split ? "Reason for the first part" : "Reason"}
          <input list="known-reasons" value={reason} onChange={(e) => setReason(e.target.value)} required maxLength={100} />
        </label>
        <datalist id="known-reasons">
          {view.knownReasons.map((r) => (
            <option key={r} value={r} />
          ))}
        </datalist>
        <label className="check">
          <input type="checkbox" checked={split} onChange={(e) => setSplit(e.target.checked)} /> Split this stop in two
        </label>
        {split ? (
          <>
            <label>
              Split at ({tz}, HH:MM:SS)
              <input value={at} onChange={(e) => setAt(e.target.value)} required />
            </label>
            <label>
              Reason for the second part
              <input list="known-reasons" value={second} onChange={(e) => setSecond(e.target.value)} required maxLength={100} />
            </label>
          </>
        ) : null}
        <label>
          Note (optional)
          <input value={note} onChange={(e) => setNote(e.target.value)} maxLength={500} />
        </label>
        {error ? (
          <div className="form-error" role="alert">
            {error}
          </div>
        ) : null}
        <div className="dialog-actions">
          <button type="button" className="link-button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button" disabled={busy}>
            {busy ? "Saving…" : "Save reason"}
          </button>
        </div>
        <div className="muted small">Recorded with your name in the audit log. A later correction over the same time wins.</div>
      </form>
    </div>
  );
}
