"use client";

// A site's shift calendar: its shifts in one line, and a form to edit them (weekdays, local start and
// end, breaks). The server checks the shifts (a break past the shift's end, overlaps) and says why.
import { useState } from "react";
import { FormError, useAdminForm } from "./admin-form.tsx";
import { postJson } from "./admin-post.ts";
import type { Calendar } from "./assets-types.ts";

type ShiftRow = { name: string; weekdays: number[]; start: string; end: string; breaks: string };
type Break = { name: string; startOffsetMin: number; durationMin: number };
const DAYS = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"];

/** Breaks as the form shows them: "120+15, 240+30" = 15 min starting 120 min into the shift, ... */
const breaksText = (b: Calendar["shifts"][number]["breaks"]) => b.map((x) => `${x.startOffsetMin}+${x.durationMin}`).join(", ");

function parseBreaks(text: string): Break[] | string {
  const parts = text
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
  const out = [];
  for (const [i, p] of parts.entries()) {
    const m = /^(\d+)\s*\+\s*(\d+)$/.exec(p);
    if (!m) return `break "${p}": write minutes-after-start+duration, e.g. 120+15`;
    out.push({ name: `break ${i + 1}`, startOffsetMin: Number(m[1]), durationMin: Number(m[2]) });
  }
  return out;
}

const rowsOf = (calendar: Calendar): ShiftRow[] =>
  calendar.shifts.map((sh) => ({ name: sh.name, weekdays: sh.weekdays, start: sh.start, end: sh.end, breaks: breaksText(sh.breaks) }));

export function CalendarBlock({ calendar, timeZone, onChange }: { calendar: Calendar; timeZone: string; onChange: () => Promise<void> }) {
  const [editing, setEditing] = useState(false);
  const f = useAdminForm<{ rows: ShiftRow[] }>({ rows: [] });
  const rows = f.values.rows;
  const summary = calendar.shifts
    .map(
      (sh) => `${sh.name} ${sh.start}–${sh.end} ${sh.weekdays.map((d) => DAYS[d - 1]).join("")}${sh.breaks.length ? ` (breaks ${breaksText(sh.breaks)})` : ""}`,
    )
    .join("; ");
  if (!editing) {
    return (
      <div className="small" data-testid={`calendar-${calendar.name}`}>
        Calendar <b>{calendar.name}</b>: {summary || "no shifts"}{" "}
        <button
          type="button"
          className="link-button"
          onClick={() => {
            f.reset({ rows: rowsOf(calendar) });
            setEditing(true);
          }}
        >
          edit shifts
        </button>
      </div>
    );
  }
  const setRows = (next: ShiftRow[]) => f.set({ rows: next });
  const set = (i: number, patch: Partial<ShiftRow>) => setRows(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <form
      className="calendar-form"
      aria-label={`shifts of calendar ${calendar.name}`}
      onSubmit={(e) => {
        e.preventDefault();
        const shifts: (Omit<ShiftRow, "breaks"> & { breaks: Break[] })[] = [];
        for (const r of rows) {
          const breaks = parseBreaks(r.breaks);
          if (typeof breaks === "string") return f.fail(`${r.name}: ${breaks}`);
          shifts.push({ name: r.name, weekdays: r.weekdays, start: r.start, end: r.end, breaks });
        }
        void f.submit(
          () => postJson(`/api/v1/admin/calendars/${calendar.id}/shifts`, { shifts }),
          async () => {
            setEditing(false);
            await onChange();
          },
          { reset: false },
        );
      }}
    >
      <div className="small muted">
        Calendar <b>{calendar.name}</b>, local time {timeZone}. An end before the start ends the next day; breaks are minutes after the shift starts + duration.
      </div>
      {rows.map((r, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity until saved
        <div className="shift-row" key={i}>
          <input value={r.name} onChange={(e) => set(i, { name: e.target.value })} aria-label={`shift ${i + 1} name`} />
          {DAYS.map((d, k) => (
            <label key={d} className="check">
              <input
                type="checkbox"
                checked={r.weekdays.includes(k + 1)}
                onChange={(e) => set(i, { weekdays: e.target.checked ? [...r.weekdays, k + 1].sort() : r.weekdays.filter((x) => x !== k + 1) })}
              />
              {d}
            </label>
          ))}
          <input type="time" value={r.start} onChange={(e) => set(i, { start: e.target.value })} aria-label={`shift ${i + 1} start`} />
          <input type="time" value={r.end} onChange={(e) => set(i, { end: e.target.value })} aria-label={`shift ${i + 1} end`} />
          <input value={r.breaks} onChange={(e) => set(i, { breaks: e.target.value })} placeholder="120+15, 240+30" aria-label={`shift ${i + 1} breaks`} />
          <button type="button" className="link-button" onClick={() => setRows(rows.filter((_r, j) => j !== i))}>
            remove
          </button>
        </div>
      ))}
      <button
        type="button"
        className="link-button"
        onClick={() => setRows([...rows, { name: `shift ${rows.length + 1}`, weekdays: [1, 2, 3, 4, 5], start: "06:00", end: "14:00", breaks: "" }])}
      >
        + add a shift
      </button>{" "}
      <button type="submit" className="button">
        Save shifts
      </button>{" "}
      <button type="button" className="link-button" onClick={() => setEditing(false)}>
        Cancel
      </button>
      {/* the message only: it names the shift itself */}
      <FormError message={f.message} />
    </form>
  );
}
