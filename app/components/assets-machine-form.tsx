"use client";

// A machine's OEE and vibration settings, to add a machine to a line or to edit one (its slug, a topic
// level, is set only when it is added). The server checks the settings (the bearing geometry among them).
import { FormError, useAdminForm } from "./admin-form.tsx";
import type { Posted } from "./admin-post.ts";
import type { Machine } from "./assets-types.ts";

export type MachineValues = Omit<Machine, "id" | "key">;

/** The settings a new machine starts with. */
export const NEW_MACHINE: MachineValues = {
  slug: "",
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
};

type NumberKey = { [K in keyof MachineValues]: MachineValues[K] extends number | null ? K : never }[keyof MachineValues];

export function MachineForm({
  initial,
  submitLabel,
  send,
  onDone,
  onCancel,
}: {
  initial: MachineValues;
  submitLabel: string;
  send: (v: MachineValues) => Promise<Posted<unknown>>;
  /** after a success: close the form and reload the tree */
  onDone: () => Promise<void>;
  onCancel: () => void;
}) {
  const f = useAdminForm<MachineValues>(initial);
  const v = f.values;
  const num = (k: NumberKey, label: string, step = "any") => (
    <label>
      {label}
      <input
        type="number"
        step={step}
        value={v[k] === null ? "" : String(v[k])}
        onChange={(e) => f.set({ [k]: e.target.value === "" ? null : Number(e.target.value) })}
        aria-label={label}
      />
    </label>
  );
  const isNew = submitLabel === "Add machine";
  return (
    <form
      className="command-form machine-form"
      onSubmit={(e) => {
        e.preventDefault();
        void f.submit(() => send(v), onDone);
      }}
    >
      {isNew ? (
        <label>
          Slug (topic level)
          <input value={v.slug} onChange={(e) => f.set({ slug: e.target.value })} aria-label="Slug" />
        </label>
      ) : null}
      <label>
        Name
        <input value={v.name} onChange={(e) => f.set({ name: e.target.value })} aria-label="Name" />
      </label>
      {num("idealCycleTimeS", "Ideal cycle time (s)")}
      <label>
        ISO group
        <select value={v.vibrationGroup} onChange={(e) => f.set({ vibrationGroup: e.target.value as MachineValues["vibrationGroup"] })}>
          <option value="GROUP_1">group 1 (300 kW–50 MW)</option>
          <option value="GROUP_2">group 2 (15–300 kW)</option>
        </select>
      </label>
      <label>
        Foundation
        <select value={v.foundation} onChange={(e) => f.set({ foundation: e.target.value as MachineValues["foundation"] })}>
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
        <input type="checkbox" checked={v.hasWaveformSensor} onChange={(e) => f.set({ hasWaveformSensor: e.target.checked })} />
      </label>
      <button type="submit" className="button">
        {submitLabel}
      </button>
      <button type="button" className="link-button" onClick={onCancel}>
        Cancel
      </button>
      {/* the message only: it names the field itself, and the form shows one alert */}
      <FormError message={f.message} wide />
    </form>
  );
}
