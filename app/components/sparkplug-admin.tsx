"use client";

// The Sparkplug B mapping (admin): set one metric's machine, channel and field; remove one.
import { useState } from "react";
import type { sparkplugMappings } from "#lib/features/admin/sparkplug.ts";
import { Field, FormError, useAdminForm } from "./admin-form.tsx";
import { postJson } from "./admin-post.ts";

type Mapping = Awaited<ReturnType<typeof sparkplugMappings>>["mappings"][number];
const CHANNELS = ["state", "counts", "vibration", "metrics", "command"] as const;
const FIELD_HINT: Record<(typeof CHANNELS)[number], string> = {
  state: "(none: a string is a state name, a number a code, a boolean running/stopped)",
  counts: "total or reject",
  vibration: "velocity_rms_mm_s, accel_rms_g, accel_peak_g, crest_factor, kurtosis, temperature_c or speed_rpm",
  metrics: "the Andon metric name, e.g. oil_temp_c",
  command: "the Andon command type a DCMD writes to this metric (set_speed, stop, ...)",
};

export function SparkplugAdmin({ initial, machines }: { initial: Mapping[]; machines: string[] }) {
  const [mappings, setMappings] = useState(initial);
  const f = useAdminForm({ group: "", edgeNode: "", device: "", metric: "", machine: machines[0] ?? "", channel: "state" as Mapping["channel"], field: "" });
  const v = f.values;
  const reload = async () => {
    const res = await fetch("/api/v1/admin/sparkplug-mappings", { cache: "no-store" });
    if (res.ok) setMappings(((await res.json()) as { mappings: Mapping[] }).mappings);
  };
  const text = (name: "group" | "edgeNode" | "device" | "metric" | "field", label: string, placeholder: string) => (
    <Field label={label} name={name} errors={f.errors}>
      <input value={v[name]} onChange={(e) => f.set({ [name]: e.target.value })} aria-label={label} placeholder={placeholder} />
    </Field>
  );
  return (
    <>
      <div className="card">
        <h2>Map a metric</h2>
        <form
          className="command-form"
          onSubmit={(e) => {
            e.preventDefault();
            void f.submit(() => postJson("/api/v1/admin/sparkplug-mappings", v), reload, { reset: false });
          }}
        >
          {text("group", "Group", "plant")}
          {text("edgeNode", "Edge node", "gw1")}
          {text("device", "Device", "(empty: the edge node's own metric)")}
          {text("metric", "Metric", "Status")}
          <Field label="Machine" name="machine" errors={f.errors}>
            <select value={v.machine} onChange={(e) => f.set({ machine: e.target.value })} aria-label="Machine">
              {machines.map((m) => (
                <option key={m} value={m}>
                  {m}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Channel" name="channel" errors={f.errors}>
            <select value={v.channel} onChange={(e) => f.set({ channel: e.target.value as Mapping["channel"] })} aria-label="Channel">
              {CHANNELS.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          </Field>
          {text("field", "Field", FIELD_HINT[v.channel as (typeof CHANNELS)[number]] ?? "")}
          <button type="submit" className="button">
            Save mapping
          </button>
        </form>
        <FormError message={f.message} />
      </div>
      <div className="card">
        <table className="reasons">
          <thead>
            <tr>
              <th>group</th>
              <th>edge node</th>
              <th>device</th>
              <th>metric</th>
              <th>machine</th>
              <th>channel</th>
              <th>field</th>
              <th>changed</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {mappings.map((m) => (
              <tr key={`${m.group}/${m.edgeNode}/${m.device}/${m.metric}`} data-testid={`sparkplug-${m.group}-${m.edgeNode}-${m.device}-${m.metric}`}>
                <td>{m.group}</td>
                <td>{m.edgeNode}</td>
                <td>{m.device || <span className="muted">(node)</span>}</td>
                <td>{m.metric}</td>
                <td>{m.machine}</td>
                <td>{m.channel}</td>
                <td>{m.field}</td>
                <td>
                  {m.updatedAt.slice(0, 16).replace("T", " ")} UTC by {m.updatedBy}
                </td>
                <td>
                  <button
                    type="button"
                    className="link-button"
                    onClick={() =>
                      f.submit(
                        () => postJson("/api/v1/admin/sparkplug-mappings/remove", { group: m.group, edgeNode: m.edgeNode, device: m.device, metric: m.metric }),
                        reload,
                        { reset: false },
                      )
                    }
                  >
                    remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
