"use client";

// A line on the asset page: its name and key, the shift calendar it follows, its machines with their
// settings (each editable in place) and a form to add a machine.
import { useState } from "react";
import { FormError, useAdminForm } from "./admin-form.tsx";
import { postJson } from "./admin-post.ts";
import { MachineForm, NEW_MACHINE } from "./assets-machine-form.tsx";
import type { Line, Machine, Site } from "./assets-types.ts";
import { Remove, Rename } from "./structure-admin.tsx";

export function LineBlock({ site, line, onChange }: { site: Site; line: Line; onChange: () => Promise<void> }) {
  // the calendar choice is sent at once; a refusal is shown under the heading
  const calendarChoice = useAdminForm({});
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
            await calendarChoice.submit(
              () => postJson(`/api/v1/admin/lines/${line.id}/calendar`, { calendarId: e.target.value || null }),
              () => {},
            );
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
      <FormError message={calendarChoice.message} />
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
          initial={NEW_MACHINE}
          submitLabel="Add machine"
          send={(v) => postJson("/api/v1/admin/machines", { ...v, line: line.key })}
          onDone={async () => {
            setAdding(false);
            await onChange();
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
            send={(v) => {
              const { slug: _s, ...settings } = v;
              return postJson(`/api/v1/admin/machines/${m.id}`, settings);
            }}
            onDone={async () => {
              setEditing(false);
              await onSaved();
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
