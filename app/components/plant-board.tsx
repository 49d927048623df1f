"use client";

// The plant board of a site: its lines' andon tiles and state timelines over the shift, the shift's
// losses, and (for who may) a stop's reason corrected in a dialog. Live: the site's stream pushes a
// machine's new state the moment it arrives and the whole board every 5 s; while the stream is down
// the board polls every 5 s instead.
import { useCallback, useEffect, useMemo, useState } from "react";
import type { StateEventData } from "#lib/features/dashboard/live-streams.ts";
import type { MachineView, PlantView, Segment } from "#lib/features/dashboard/plant.ts";
import { fromWire, type WirePlantView } from "#lib/features/dashboard/plant-wire.ts";
import { fmt } from "./plant-format.ts";
import { PlantLine } from "./plant-line.tsx";
import { PlantLosses } from "./plant-losses.tsx";
import { ReasonDialog } from "./plant-reason-dialog.tsx";
import { useEventStream } from "./use-event-stream.ts";

const POLL_MS = 5000;

/** The view with each pushed state that is newer than what the view knows (the ingest may not have stored it yet). */
function withPushed(view: PlantView, pushed: Record<string, StateEventData>): PlantView {
  let now = view.now;
  const machines = view.machines.map((m) => {
    const p = pushed[m.key];
    if (!p || p.since <= (m.since ?? Number.NEGATIVE_INFINITY)) return m;
    now = Math.max(now, p.since);
    return { ...m, state: p.state, since: p.since, loss: p.loss as MachineView["loss"] };
  });
  return { ...view, now, machines };
}

export function PlantBoard({ initial, canEditReasons }: { initial: PlantView; canEditReasons: boolean }) {
  const [fetched, setFetched] = useState(initial);
  const [pushed, setPushed] = useState<Record<string, StateEventData>>({});
  const view = useMemo(() => withPushed(fetched, pushed), [fetched, pushed]);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<{ machine: MachineView; seg: Segment } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const tz = view.site.timeZone;

  const refresh = useCallback(async () => {
    const res = await fetch(`/api/v1/sites/${view.site.key}/shift`, { cache: "no-store" }).catch(() => null);
    if (res?.ok) {
      setFetched(fromWire((await res.json()) as WirePlantView));
      setError(null);
    } else setError(res ? `refresh failed (${res.status})` : "the server did not answer; retrying");
  }, [view.site.key]);

  const live = useEventStream(`/api/v1/sites/${view.site.key}/stream`, {
    view: (data) => {
      setFetched(fromWire(JSON.parse(data) as WirePlantView));
      setError(null);
    },
    state: (data) => {
      const e = JSON.parse(data) as StateEventData;
      setPushed((p) => ({ ...p, [e.machine]: e }));
    },
  });
  useEffect(() => {
    if (live) return;
    const t = setInterval(refresh, POLL_MS);
    return () => clearInterval(t);
  }, [live, refresh]);

  const lines = view.lines.map((l) => ({ ...l, machines: view.machines.filter((m) => m.line === l.key) }));
  const pick = (machine: MachineView, seg: Segment) => setEditing({ machine, seg });

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
              {fmt(view.shift.end, tz)} {tz}. OEE so far from the closed minutes; <span data-testid="board-live">{live ? "live" : "updates every 5 s"}</span>.{" "}
              <a href={`/sites/${view.site.key}/commands`}>Command history</a> · <a href={`/sites/${view.site.key}/report`}>Shift report</a>
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
        <PlantLine key={l.key} view={view} line={l} canEditReasons={canEditReasons} onPick={pick} />
      ))}

      <PlantLosses view={view} canEditReasons={canEditReasons} onPick={pick} />
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
