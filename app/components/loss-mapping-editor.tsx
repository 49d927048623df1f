"use client";

// A new loss-mapping version edited from the latest one (or a new mapping, v1, under another name):
// checked here and on the server with the same rules (lib/domain/oee/loss-mapping-draft.ts), with
// what changed shown live, who gets it, and whether OEE already computed is recomputed.
import { useState } from "react";
import { diffMappings, draftErrors } from "#lib/domain/oee/loss-mapping-draft.ts";
import { FieldError, FormError, useAdminForm } from "./admin-form.tsx";
import { postJson } from "./admin-post.ts";
import { RulesTable } from "./loss-mapping-rules.tsx";
import { DAY, type EditorValues, type Enterprise, fromRow, type Mapping, toRow, type Version } from "./loss-mapping-types.ts";
import { RecomputeChoice, WhoUsesIt } from "./loss-mapping-usage.tsx";
import { DiffList } from "./loss-mapping-view.tsx";

const NAME = /^[A-Za-z0-9]([A-Za-z0-9 _.-]{0,62}[A-Za-z0-9_.-])?$/;

type Saved = { label: string; recompute: { from: string; jobs: number; error?: string } | null };

/** What the admin is told after a save: the label, whether a machine uses it, what happens to OEE already computed. */
function savedMessage({ label, recompute: rc }: Saved, used: boolean): string {
  return `Saved ${label}. ${used ? "" : "No machine uses it yet (assign machines or make it the default). "}${
    rc?.error
      ? `The version is saved (do not save it again), but ${rc.error}. OEE of the other days keeps its earlier figures.`
      : rc
        ? `OEE from ${rc.from.slice(0, 16).replace("T", " ")} UTC is being recomputed (${rc.jobs} day jobs).`
        : "It applies to OEE buckets computed from now on; figures already computed keep the version that made them."
  }`;
}

export function VersionEditor({
  enterprise,
  mapping,
  from,
  maxDays,
  onCancel,
  onSaved,
  onStale,
}: {
  enterprise: Enterprise;
  mapping: Mapping;
  from: Version;
  maxDays: number;
  onCancel: () => void;
  onSaved: (message: string, label: string) => Promise<void>;
  /** reloads the mappings (the editor stays open with its draft) */
  onStale: () => Promise<void>;
}) {
  const ids = new Set(mapping.versions.map((v) => v.id));
  const f = useAdminForm<EditorValues>({
    rows: from.rules.map(toRow),
    micro: String(from.microStopThresholdS),
    startup: String(from.startupWindowS),
    makeDefault: from.isDefault,
    // the machines on any version of this mapping move to the new one unless unticked
    picked: new Set(enterprise.machines.filter((m) => m.mappingId && ids.has(m.mappingId)).map((m) => m.key)),
    recompute: "none",
    recomputeDay: new Date(Date.now() - DAY).toISOString().slice(0, 10),
    saveAs: "version",
    newName: "",
  });
  const { rows, micro, startup, makeDefault, picked, recompute, recomputeDay, saveAs, newName } = f.values;
  // what the version choice had picked, given back when the admin switches back from "a new mapping"
  const [versionChoice, setVersionChoice] = useState<{ picked: Set<string>; makeDefault: boolean } | null>(null);
  const target = saveAs === "new" ? `${newName.trim() || "…"}@v1` : `${mapping.name}@v${from.version + 1}`;
  const draft = {
    microStopThresholdS: Number(micro === "" ? Number.NaN : micro),
    startupWindowS: Number(startup === "" ? 0 : startup),
    rules: rows.map(fromRow),
  };
  return (
    <form
      aria-label={`new version of ${mapping.name}`}
      onSubmit={async (e) => {
        e.preventDefault();
        const local = draftErrors(draft);
        if (saveAs === "new" && !NAME.test(newName.trim())) {
          local.name = "Give the new mapping a name: letters, digits, space, '.', '-' and '_' (at most 64).";
        }
        if (Object.keys(local).length) {
          f.fail("Correct the fields marked in red.", local);
          return;
        }
        // a local date: from its midnight in this browser's time zone
        const recomputeFrom = recompute === "from" ? Math.max(new Date(`${recomputeDay}T00:00`).getTime(), Date.now() - maxDays * DAY + 60_000) : undefined;
        const r = await f.submit(
          () =>
            postJson<Saved>("/api/v1/admin/loss-mappings", {
              enterprise: enterprise.slug,
              name: saveAs === "new" ? newName.trim() : mapping.name,
              basedOnVersion: saveAs === "new" ? 0 : from.version,
              ...draft,
              makeDefault,
              machines: [...picked],
              ...(recomputeFrom !== undefined ? { recomputeFrom } : {}),
            }),
          (saved) => onSaved(savedMessage(saved, makeDefault || picked.size > 0), saved.label),
          { reset: false },
        );
        // someone saved a newer version meanwhile: start from it, keeping this draft's rules
        if (r && !r.ok && r.status === 409 && saveAs === "version") {
          await onStale();
          f.fail(
            "Someone else saved a newer version meanwhile. The form now starts from the newest version with your rules kept: check the changes shown and save again.",
          );
        }
      }}
    >
      <h4>
        {saveAs === "new" ? "New mapping" : "New version"} {target}, from {from.label}
      </h4>
      <fieldset className="small">
        <legend>Save as</legend>
        <label>
          <input type="radio" name="save-as" checked={saveAs === "version"} onChange={() => f.set({ saveAs: "version", ...(versionChoice ?? {}) })} /> the next
          version of {mapping.name} ({mapping.name}@v{from.version + 1})
        </label>
        <label>
          <input
            type="radio"
            name="save-as"
            checked={saveAs === "new"}
            onChange={() => {
              // a new mapping starts with no machines and not as the default: pick them below
              setVersionChoice({ picked, makeDefault });
              f.set({ saveAs: "new", picked: new Set(), makeDefault: false });
            }}
            aria-label="Save as a new mapping"
          />{" "}
          a new mapping named <input value={newName} onChange={(e) => f.set({ newName: e.target.value })} maxLength={64} aria-label="New mapping name" /> (v1;
          for machines that count losses differently, e.g. a line with its own changeover rules)
        </label>
        <FieldError errors={f.errors} name="name" />
      </fieldset>
      <div className="command-form">
        <label>
          Small stop below (s)
          <input type="number" step="any" value={micro} onChange={(e) => f.set({ micro: e.target.value })} aria-label="Micro-stop threshold (s)" />
          <FieldError errors={f.errors} name="microStopThresholdS" />
        </label>
        <label>
          Startup window (s, 0 = off)
          <input type="number" step="any" value={startup} onChange={(e) => f.set({ startup: e.target.value })} aria-label="Startup window (s)" />
          <FieldError errors={f.errors} name="startupWindowS" />
        </label>
      </div>
      <RulesTable rows={rows} errors={f.errors} onChange={(next) => f.set({ rows: next })} />
      <DiffList diff={diffMappings(from, { ...draft, rules: draft.rules as Version["rules"] })} against={from.label} />
      <WhoUsesIt enterprise={enterprise} form={f} />
      <RecomputeChoice enterprise={enterprise} maxDays={maxDays} form={f} />
      <button type="submit" className="button">
        Save {target}
      </button>{" "}
      <button type="button" className="link-button" onClick={onCancel}>
        Cancel
      </button>
      <FormError message={f.message} testId="mapping-error" />
    </form>
  );
}
