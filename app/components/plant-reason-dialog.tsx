"use client";

// Gives a stop of the plant board a reason, or splits it in two with a reason each, with an optional
// note; the server records it (audited) and recomputes the OEE of the affected minutes.
import { useState } from "react";
import type { MachineView, PlantView, Segment } from "#lib/features/dashboard/plant.ts";
import { LOSS_NAME } from "./loss-colors.ts";
import { duration, fmt } from "./plant-format.ts";

export function ReasonDialog({
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
