"use client";

// The plant board of a site: its lines' andon tiles and state timelines over the shift, the shift's
// losses, and (for who may) a stop's reason corrected in a dialog; refreshed every 5 s.
import { useCallback, useEffect, useState } from "react";
import type { MachineView, PlantView, Segment } from "#lib/features/dashboard/plant.ts";
import { fmt } from "./plant-format.ts";
import { PlantLine } from "./plant-line.tsx";
import { PlantLosses } from "./plant-losses.tsx";
import { ReasonDialog } from "./plant-reason-dialog.tsx";

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
