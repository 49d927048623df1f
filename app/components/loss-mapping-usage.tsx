"use client";

// Who gets a new loss-mapping version (the enterprise default, machines picked one by one) and whether
// the OEE already computed is recomputed with it from a date.
import { type AdminForm, FieldError } from "./admin-form.tsx";
import { DAY, type EditorValues, type Enterprise } from "./loss-mapping-types.ts";

export function WhoUsesIt({ enterprise, form }: { enterprise: Enterprise; form: AdminForm<EditorValues> }) {
  const { makeDefault, picked } = form.values;
  return (
    <fieldset className="small">
      <legend>Who uses it</legend>
      <label>
        <input type="checkbox" checked={makeDefault} onChange={(e) => form.set({ makeDefault: e.target.checked })} /> the enterprise default (machines without a
        mapping of their own follow it; now {enterprise.default ?? "none"})
      </label>
      <div className="machine-picks" data-testid="machine-picks">
        {enterprise.machines.map((m) => (
          <label key={m.key}>
            <input
              type="checkbox"
              checked={picked.has(m.key)}
              onChange={(e) => {
                const next = new Set(picked);
                if (e.target.checked) next.add(m.key);
                else next.delete(m.key);
                form.set({ picked: next });
              }}
              aria-label={`assign ${m.key}`}
            />{" "}
            {m.key.split("/").slice(1).join("/")} <span className="muted">({m.uses})</span>
          </label>
        ))}
      </div>
      <FieldError errors={form.errors} name="machines" />
    </fieldset>
  );
}

export function RecomputeChoice({ enterprise, maxDays, form }: { enterprise: Enterprise; maxDays: number; form: AdminForm<EditorValues> }) {
  const { recompute, recomputeDay } = form.values;
  const minDay = new Date(Date.now() - maxDays * DAY).toISOString().slice(0, 10);
  return (
    <fieldset className="small">
      <legend>OEE already computed</legend>
      <label>
        <input type="radio" name="recompute" checked={recompute === "none"} onChange={() => form.set({ recompute: "none" })} /> keep it: the new version applies
        to buckets computed from now on (each figure names the version that made it)
      </label>
      <label>
        <input
          type="radio"
          name="recompute"
          checked={recompute === "from"}
          onChange={() => form.set({ recompute: "from" })}
          aria-label="Recompute from a date"
        />{" "}
        recompute {enterprise.name}'s OEE from{" "}
        <input
          type="date"
          value={recomputeDay}
          min={minDay}
          max={new Date().toISOString().slice(0, 10)}
          onChange={(e) => form.set({ recomputeDay: e.target.value })}
          aria-label="Recompute from"
        />{" "}
        to now (at most {maxDays} days back) with the mappings then assigned
      </label>
      <FieldError errors={form.errors} name="recomputeFrom" />
    </fieldset>
  );
}
