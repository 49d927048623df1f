"use client";

// The asset model for admins: per site its shift calendars, lines (with the calendar they follow) and
// machines; edit a machine's OEE and vibration settings, add a machine to a line.
import { useState } from "react";
import type { assetTree } from "#lib/features/admin/assets.ts";
import { postJson } from "./admin-post.ts";
import { NewAreaForm, NewLineForm, NewSiteForm, Remove, Rename } from "./structure-admin.tsx";

type Tree = Awaited<ReturnType<typeof assetTree>>;
type Site = Tree["sites"][number];
type Line = Site["lines"][number];
type Machine = Line["machines"][number];

const EMPTY = {
  name: "",
  idealCycleTimeS: 1,
  vibrationGroup: "GROUP_2",
  foundation: "RIGID",
  nominalSpeedRpm: null,
  bearingRollingElements: null,
  bearingBallDiameterMm: null,
  bearingPitchDiameterMm: null,
  bearingContactAngleDeg: null,
  hasWaveformSensor: false,
} as const;

/** The server's refusal as one message, or null when it was done. */
async function post(url: string, body: unknown): Promise<string | null> {
  const r = await postJson(url, body);
  return r.ok ? null : r.message;
}

export function AssetsAdmin({ initial }: { initial: Tree }) {
  const [tree, setTree] = useState(initial);
  const reload = async () => {
    const res = await fetch("/api/v1/admin/assets", { cache: "no-store" });
    if (res.ok) setTree((await res.json()) as Tree);
  };
  return (
    <>
      {tree.sites.map((s) => (
        <div className="card" key={s.key} data-testid={`assets-${s.key}`}>
          <h2>
            {s.name}{" "}
            <small>
              {s.key} · {s.timeZone}
            </small>{" "}
            <Rename key={s.name} url={`/api/v1/admin/sites/${s.id}`} name={s.name} what={`site ${s.key}`} onDone={reload} />
            {s.areas.length === 0 ? <Remove url={`/api/v1/admin/sites/${s.id}/remove`} what={`site ${s.key}`} onDone={reload} /> : null}
          </h2>
          {s.calendars.length === 0 ? <div className="small muted">No shift calendars: its lines are planned around the clock.</div> : null}
          {s.calendars.map((c) => (
            <CalendarBlock key={c.id} calendar={c} timeZone={s.timeZone} onChange={reload} />
          ))}
          <SiteStructure site={s} onChange={reload} />
          {s.lines.length === 0 ? <div className="small muted">No lines yet: add an area, then a line, then its machines.</div> : null}
          {s.lines.map((l) => (
            <LineBlock key={l.id} site={s} line={l} onChange={reload} />
          ))}
        </div>
      ))}
      <div className="card">
        <h2>Add a site</h2>
        <div className="small muted">
          The slug becomes the site's MQTT topic level (enterprise/site/area/line/machine) and cannot be changed later; shift calendars and local days are read
          in its time zone. Give plant managers access in <a href="/admin/users">Users</a>.
        </div>
        <NewSiteForm enterprises={tree.enterprises} onDone={reload} />
      </div>
      <div className="card">
        <h2>Loss mappings</h2>
        <table className="reasons">
          <thead>
            <tr>
              <th>name</th>
              <th>version</th>
              <th>small stop below</th>
              <th>startup window</th>
              <th>rules</th>
            </tr>
          </thead>
          <tbody>
            {tree.lossMappings.map((m) => (
              <tr key={`${m.name}@${m.version}`}>
                <td>{m.name}</td>
                <td>v{m.version}</td>
                <td>{m.microStopS} s</td>
                <td>{m.startupWindowS ? `${m.startupWindowS} s` : "off"}</td>
                <td>{m.rules}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <div className="muted small">
          Versions are never changed: <a href="/admin/loss-mappings">view their rules, compare them and save a new version</a>.
        </div>
      </div>
    </>
  );
}

/** A site's areas (renamed in place), and forms to add an area or a line. */
function SiteStructure({ site, onChange }: { site: Site; onChange: () => Promise<void> }) {
  const [adding, setAdding] = useState<"area" | "line" | null>(null);
  const done = async () => {
    setAdding(null);
    await onChange();
  };
  return (
    <div className="small" data-testid={`areas-${site.key}`}>
      Areas: {site.areas.length === 0 ? <span className="muted">none yet</span> : null}
      {site.areas.map((a) => (
        <span key={a.id} className="area-name">
          <b>{a.name}</b> <span className="muted">{a.key.split("/")[2]}</span>{" "}
          <Rename key={a.name} url={`/api/v1/admin/areas/${a.id}`} name={a.name} what={`area ${a.key}`} onDone={onChange} />{" "}
          {site.lines.some((l) => l.key.startsWith(`${a.key}/`)) ? null : (
            <Remove url={`/api/v1/admin/areas/${a.id}/remove`} what={`area ${a.key}`} onDone={onChange} />
          )}{" "}
        </span>
      ))}{" "}
      <button type="button" className="link-button" onClick={() => setAdding(adding === "area" ? null : "area")}>
        + add an area
      </button>{" "}
      {site.areas.length ? (
        <button type="button" className="link-button" onClick={() => setAdding(adding === "line" ? null : "line")}>
          + add a line
        </button>
      ) : null}
      {adding === "area" ? <NewAreaForm site={site.key} onDone={done} /> : null}
      {adding === "line" ? <NewLineForm site={site.key} areas={site.areas} calendars={site.calendars} onDone={done} /> : null}
    </div>
  );
}

function LineBlock({ site, line, onChange }: { site: Site; line: Line; onChange: () => Promise<void> }) {
  const [error, setError] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  return (
    <div className="asset-line">
      <h3>
        {line.name} <small className="muted">{line.key}</small>{" "}
        <Rename key={line.lineName} url={`/api/v1/admin/lines/${line.id}`} name={line.lineName} what={`line ${line.key}`} onDone={onChange} />{" "}
        {line.machines.length === 0 ? <Remove url={`/api/v1/admin/lines/${line.id}/remove`} what={`line ${line.key}`} onDone={onChange} /> : null}{" "}
        <select
          aria-label={`shift calendar of ${line.key}`}
          value={line.calendarId ?? ""}
          onChange={async (e) => {
            setError(await post(`/api/v1/admin/lines/${line.id}/calendar`, { calendarId: e.target.value || null }));
            await onChange();
          }}
        >
          <option value="">planned around the clock</option>
          {site.calendars.map((c) => (
            <option key={c.id} value={c.id}>
              calendar {c.name}
            </option>
          ))}
        </select>
      </h3>
      {error ? (
        <div className="form-error" role="alert">
          {error}
        </div>
      ) : null}
      <table className="reasons assets">
        <thead>
          <tr>
            <th>machine</th>
            <th>ideal cycle (s)</th>
            <th>ISO 10816-3</th>
            <th>speed (rpm)</th>
            <th>bearing (n, ball, pitch mm, angle °)</th>
            <th>waveform</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {line.machines.map((m) => (
            <MachineRow key={m.id} m={m} onSaved={onChange} />
          ))}
        </tbody>
      </table>
      {adding ? (
        <MachineForm
          initial={{ ...EMPTY, slug: "" }}
          submitLabel="Add machine"
          onSubmit={async (v) => {
            const e = await post("/api/v1/admin/machines", { ...v, line: line.key });
            if (!e) {
              setAdding(false);
              await onChange();
            }
            return e;
          }}
          onCancel={() => setAdding(false)}
        />
      ) : (
        <button type="button" className="link-button" onClick={() => setAdding(true)} data-testid={`add-machine-${line.key}`}>
          + add a machine
        </button>
      )}
    </div>
  );
}

function MachineRow({ m, onSaved }: { m: Machine; onSaved: () => Promise<void> }) {
  const [editing, setEditing] = useState(false);
  if (editing) {
    return (
      <tr>
        <td colSpan={7}>
          <MachineForm
            initial={m}
            submitLabel="Save"
            onSubmit={async (v) => {
              const { slug: _s, ...settings } = v;
              const e = await post(`/api/v1/admin/machines/${m.id}`, settings);
              if (!e) {
                setEditing(false);
                await onSaved();
              }
              return e;
            }}
            onCancel={() => setEditing(false)}
          />
        </td>
      </tr>
    );
  }
  const bearing = m.bearingRollingElements
    ? `${m.bearingRollingElements}, ${m.bearingBallDiameterMm}, ${m.bearingPitchDiameterMm}, ${m.bearingContactAngleDeg ?? 0}°`
    : "—";
  return (
    <tr data-testid={`machine-${m.key}`}>
      <td>
        {m.name} <span className="muted small">{m.slug}</span>
      </td>
      <td data-testid="cycle">{m.idealCycleTimeS}</td>
      <td>
        {m.vibrationGroup === "GROUP_1" ? "group 1" : "group 2"}, {m.foundation.toLowerCase()}
      </td>
      <td>{m.nominalSpeedRpm ?? "—"}</td>
      <td>{bearing}</td>
      <td>{m.hasWaveformSensor ? "yes" : "no"}</td>
      <td>
        <button type="button" className="link-button" onClick={() => setEditing(true)}>
          edit
        </button>
      </td>
    </tr>
  );
}

type FormValues = Omit<Machine, "id" | "key">;

function MachineForm({
  initial,
  submitLabel,
  onSubmit,
  onCancel,
}: {
  initial: FormValues;
  submitLabel: string;
  onSubmit: (v: FormValues) => Promise<string | null>;
  onCancel: () => void;
}) {
  const [v, setV] = useState<FormValues>(initial);
  const [error, setError] = useState<string | null>(null);
  const num = (k: keyof FormValues, label: string, step = "any") => (
    <label>
      {label}
      <input
        type="number"
        step={step}
        value={v[k] === null ? "" : String(v[k])}
        onChange={(e) => setV({ ...v, [k]: e.target.value === "" ? null : Number(e.target.value) })}
        aria-label={label}
      />
    </label>
  );
  const isNew = submitLabel === "Add machine";
  return (
    <form
      className="command-form machine-form"
      onSubmit={async (e) => {
        e.preventDefault();
        setError(await onSubmit(v));
      }}
    >
      {isNew ? (
        <label>
          Slug (topic level)
          <input value={v.slug} onChange={(e) => setV({ ...v, slug: e.target.value })} aria-label="Slug" />
        </label>
      ) : null}
      <label>
        Name
        <input value={v.name} onChange={(e) => setV({ ...v, name: e.target.value })} aria-label="Name" />
      </label>
      {num("idealCycleTimeS", "Ideal cycle time (s)")}
      <label>
        ISO group
        <select value={v.vibrationGroup} onChange={(e) => setV({ ...v, vibrationGroup: e.target.value as FormValues["vibrationGroup"] })}>
          <option value="GROUP_1">group 1 (300 kW–50 MW)</option>
          <option value="GROUP_2">group 2 (15–300 kW)</option>
        </select>
      </label>
      <label>
        Foundation
        <select value={v.foundation} onChange={(e) => setV({ ...v, foundation: e.target.value as FormValues["foundation"] })}>
          <option value="RIGID">rigid</option>
          <option value="FLEXIBLE">flexible</option>
        </select>
      </label>
      {num("nominalSpeedRpm", "Speed (rpm)")}
      {num("bearingRollingElements", "Rolling elements", "1")}
      {num("bearingBallDiameterMm", "Ball Ø (mm)")}
      {num("bearingPitchDiameterMm", "Pitch Ø (mm)")}
      {num("bearingContactAngleDeg", "Contact angle (°)")}
      <label>
        Waveform sensor
        <input type="checkbox" checked={v.hasWaveformSensor} onChange={(e) => setV({ ...v, hasWaveformSensor: e.target.checked })} />
      </label>
      <button type="submit" className="button">
        {submitLabel}
      </button>
      <button type="button" className="link-button" onClick={onCancel}>
        Cancel
      </button>
      {error ? (
        <div className="form-error" role="alert" style={{ flexBasis: "100%" }}>
          {error}
        </div>
      ) : null}
    </form>
  );
}

type Calendar = Site["calendars"][number];
type ShiftRow = { name: string; weekdays: number[]; start: string; end: string; breaks: string };
const DAYS = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"];

/** Breaks as the form shows them: "120+15, 240+30" = 15 min starting 120 min into the shift, ... */
const breaksText = (b: Calendar["shifts"][number]["breaks"]) => b.map((x) => `${x.startOffsetMin}+${x.durationMin}`).join(", ");
function parseBreaks(text: string): { name: string; startOffsetMin: number; durationMin: number }[] | string {
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

function CalendarBlock({ calendar, timeZone, onChange }: { calendar: Calendar; timeZone: string; onChange: () => Promise<void> }) {
  const [rows, setRows] = useState<ShiftRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const summary = calendar.shifts
    .map(
      (sh) => `${sh.name} ${sh.start}–${sh.end} ${sh.weekdays.map((d) => DAYS[d - 1]).join("")}${sh.breaks.length ? ` (breaks ${breaksText(sh.breaks)})` : ""}`,
    )
    .join("; ");
  if (!rows) {
    return (
      <div className="small" data-testid={`calendar-${calendar.name}`}>
        Calendar <b>{calendar.name}</b>: {summary || "no shifts"}{" "}
        <button
          type="button"
          className="link-button"
          onClick={() =>
            setRows(calendar.shifts.map((sh) => ({ name: sh.name, weekdays: sh.weekdays, start: sh.start, end: sh.end, breaks: breaksText(sh.breaks) })))
          }
        >
          edit shifts
        </button>
      </div>
    );
  }
  const set = (i: number, patch: Partial<ShiftRow>) => setRows(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <form
      className="calendar-form"
      aria-label={`shifts of calendar ${calendar.name}`}
      onSubmit={async (e) => {
        e.preventDefault();
        const shifts = [];
        for (const r of rows) {
          const breaks = parseBreaks(r.breaks);
          if (typeof breaks === "string") return setError(`${r.name}: ${breaks}`);
          shifts.push({ name: r.name, weekdays: r.weekdays, start: r.start, end: r.end, breaks });
        }
        const err = await post(`/api/v1/admin/calendars/${calendar.id}/shifts`, { shifts });
        setError(err);
        if (!err) {
          setRows(null);
          await onChange();
        }
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
      <button type="button" className="link-button" onClick={() => setRows(null)}>
        Cancel
      </button>
      {error ? (
        <div className="form-error" role="alert">
          {error}
        </div>
      ) : null}
    </form>
  );
}
