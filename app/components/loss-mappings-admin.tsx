"use client";

// Loss-mapping versions for admins: every version's rules (read-only) and what changed from the one
// before; a new version edited from the latest, checked here and on the server with the same rules
// (lib/domain/oee/loss-mapping-draft.ts), made the default or given to machines, and, if asked, OEE
// recomputed from a date (else the new version applies to buckets computed from now on).
import { useState } from "react";
import { describeRule, diffMappings, draftErrors, type MappingDiff } from "#lib/domain/oee/loss-mapping-draft.ts";
import { STATE_CODES } from "#lib/domain/oee/mapping.ts";
import { LOSS_CATEGORIES } from "#lib/domain/oee/types.ts";
import type { listLossMappings } from "#lib/features/admin/loss-mappings.ts";
import { postJson } from "./admin-post.ts";

type Data = Awaited<ReturnType<typeof listLossMappings>>;
type Enterprise = Data["enterprises"][number];
type Mapping = Enterprise["mappings"][number];
type Version = Mapping["versions"][number];
type RuleRow = { state: string; code: string; category: string; reason: string; loss: string };

const STATES = Object.keys(STATE_CODES);
const DAY = 86_400_000;
const toRow = (r: Version["rules"][number]): RuleRow => ({
  state: r.state ?? "",
  code: r.code === undefined ? "" : String(r.code),
  category: r.category === undefined ? "" : String(r.category),
  reason: r.reason ?? "",
  loss: r.loss,
});
const num = (s: string) => (s.trim() === "" ? undefined : Number(s));
const fromRow = (r: RuleRow) => ({
  ...(r.state ? { state: r.state } : {}),
  ...(num(r.code) !== undefined ? { code: num(r.code) } : {}),
  ...(num(r.category) !== undefined ? { category: num(r.category) } : {}),
  ...(r.reason.trim() ? { reason: r.reason.trim() } : {}),
  loss: r.loss,
});

export function LossMappingsAdmin({ initial }: { initial: Data }) {
  const [data, setData] = useState(initial);
  const reload = async () => {
    const res = await fetch("/api/v1/admin/loss-mappings", { cache: "no-store" });
    if (res.ok) setData((await res.json()) as Data);
  };
  return (
    <>
      {data.enterprises.map((e) => (
        <div className="card" key={e.slug} data-testid={`mappings-${e.slug}`}>
          <h2>
            {e.name}{" "}
            <small>
              {e.slug} · default for machines without their own: {e.default ?? "the built-in mapping"}
            </small>
          </h2>
          {e.mappings.map((m) => (
            <MappingBlock key={m.name} enterprise={e} mapping={m} maxDays={data.recomputeMaxDays} onSaved={reload} />
          ))}
          {e.mappings.length === 0 ? <div className="muted small">No loss mapping: the OEE jobs use the built-in default mapping (docs/oee.md).</div> : null}
        </div>
      ))}
    </>
  );
}

function MappingBlock({ enterprise, mapping, maxDays, onSaved }: { enterprise: Enterprise; mapping: Mapping; maxDays: number; onSaved: () => Promise<void> }) {
  const latest = mapping.versions[0] as Version;
  const [shown, setShown] = useState<number>(latest.version);
  const [editing, setEditing] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);
  const version = mapping.versions.find((v) => v.version === shown) ?? latest;
  return (
    <div className="asset-line" data-testid={`mapping-${mapping.name}`}>
      <h3>Mapping “{mapping.name}”</h3>
      <table className="reasons">
        <thead>
          <tr>
            <th>version</th>
            <th>small stop below</th>
            <th>startup window</th>
            <th>rules</th>
            <th>machines assigned</th>
            <th>saved</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {mapping.versions.map((v) => (
            <tr key={v.id} data-testid={`version-${v.label}`}>
              <td>
                {v.label} {v.isDefault ? <b>default</b> : null}
              </td>
              <td>{v.microStopThresholdS} s</td>
              <td>{v.startupWindowS ? `${v.startupWindowS} s` : "off"}</td>
              <td>{v.rules.length}</td>
              <td>{v.machines.length}</td>
              <td className="small muted">
                {v.createdAt.slice(0, 16).replace("T", " ")} UTC{v.createdBy ? ` by ${v.createdBy}` : ""}
              </td>
              <td>
                <button type="button" className="link-button" onClick={() => setShown(v.version)} aria-label={`show ${v.label}`}>
                  {v.version === version.version ? "shown" : "show"}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {saved ? (
        <div className="notice" role="status">
          {saved}
        </div>
      ) : null}
      {editing ? (
        <VersionEditor
          enterprise={enterprise}
          mapping={mapping}
          from={latest}
          maxDays={maxDays}
          onCancel={() => setEditing(false)}
          onStale={onSaved}
          onSaved={async (msg, label) => {
            setEditing(false);
            setSaved(msg);
            await onSaved();
            // a new version of this mapping is shown at once (a new mapping appears as its own block)
            const v = label.startsWith(`${mapping.name}@v`) ? Number(label.slice(mapping.name.length + 2)) : Number.NaN;
            if (Number.isInteger(v)) setShown(v);
          }}
        />
      ) : (
        <>
          <VersionView version={version} />
          <button type="button" className="button" onClick={() => setEditing(true)}>
            New version from {latest.label}
          </button>
        </>
      )}
    </div>
  );
}

function DiffList({ diff, against }: { diff: MappingDiff; against: string }) {
  const none = diff.settings.length + diff.added.length + diff.removed.length + diff.changed.length === 0;
  return (
    <div className="small" data-testid="diff">
      <b>Changes from {against}:</b> {none ? <span className="muted">none</span> : null}
      <ul>
        {diff.settings.map((s) => (
          <li key={s.field} className="diff-changed">
            {s.field === "microStopThresholdS" ? "micro-stop threshold" : "startup window"}: {s.from} s → {s.to} s
          </li>
        ))}
        {diff.changed.map((c) => (
          <li key={c.rule} className="diff-changed">
            {c.rule}: {c.from} → {c.to}
          </li>
        ))}
        {diff.added.map((c) => (
          <li key={c.rule} className="diff-added">
            + {c.rule} → {c.loss}
          </li>
        ))}
        {diff.removed.map((c) => (
          <li key={c.rule} className="diff-removed">
            − {c.rule} → {c.loss}
          </li>
        ))}
      </ul>
    </div>
  );
}

function VersionView({ version }: { version: Version }) {
  return (
    <div data-testid={`rules-${version.label}`}>
      <h4>
        {version.label} <span className="muted small">(read-only: a change is a new version)</span>
      </h4>
      {version.diff ? <DiffList diff={version.diff} against={`v${version.diff.from}`} /> : <div className="small muted">The first version.</div>}
      <table className="reasons">
        <thead>
          <tr>
            <th>matches</th>
            <th>loss</th>
          </tr>
        </thead>
        <tbody>
          {version.rules.map((r) => (
            <tr key={describeRule(r)}>
              <td>{describeRule(r)}</td>
              <td>{r.loss}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="small muted">
        Most specific wins: a rule with a reason, then an exact state or code, then a category (multiples of 10000). A state no rule matches is an unplanned
        stop.
      </div>
      {version.machines.length ? (
        <details className="small muted">
          <summary>
            {version.machines.length} machine{version.machines.length === 1 ? "" : "s"} on this version
          </summary>
          <ul className="machine-list">
            {version.machines.map((m) => (
              <li key={m}>{m}</li>
            ))}
          </ul>
        </details>
      ) : (
        <div className="small muted">No machine has this version as its own.</div>
      )}
    </div>
  );
}

function VersionEditor({
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
  const [rows, setRows] = useState<RuleRow[]>(from.rules.map(toRow));
  const [micro, setMicro] = useState(String(from.microStopThresholdS));
  const [startup, setStartup] = useState(String(from.startupWindowS));
  const [makeDefault, setMakeDefault] = useState(from.isDefault);
  // the machines on any version of this mapping move to the new one unless unticked
  const [picked, setPicked] = useState(new Set(enterprise.machines.filter((m) => m.mappingId && ids.has(m.mappingId)).map((m) => m.key)));
  // what the version choice had picked, given back when the admin switches back from "a new mapping"
  const [versionChoice, setVersionChoice] = useState<{ picked: Set<string>; makeDefault: boolean } | null>(null);
  const [recompute, setRecompute] = useState<"none" | "from">("none");
  const [recomputeDay, setRecomputeDay] = useState(new Date(Date.now() - DAY).toISOString().slice(0, 10));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);
  // save as the next version of this mapping, or as a new mapping (v1) under another name
  const [saveAs, setSaveAs] = useState<"version" | "new">("version");
  const [newName, setNewName] = useState("");
  const target = saveAs === "new" ? `${newName.trim() || "…"}@v1` : `${mapping.name}@v${from.version + 1}`;
  const draft = {
    microStopThresholdS: Number(micro === "" ? Number.NaN : micro),
    startupWindowS: Number(startup === "" ? 0 : startup),
    rules: rows.map(fromRow),
  };
  const set = (i: number, patch: Partial<RuleRow>) => setRows(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const err = (k: string) =>
    errors[k] ? (
      <span className="field-error" role="alert" data-testid={`error-${k}`}>
        {errors[k]}
      </span>
    ) : null;
  const minDay = new Date(Date.now() - maxDays * DAY).toISOString().slice(0, 10);
  return (
    <form
      aria-label={`new version of ${mapping.name}`}
      onSubmit={async (e) => {
        e.preventDefault();
        const local = draftErrors(draft);
        if (saveAs === "new" && !/^[A-Za-z0-9]([A-Za-z0-9 _.-]{0,62}[A-Za-z0-9_.-])?$/.test(newName.trim())) {
          local.name = "Give the new mapping a name: letters, digits, space, '.', '-' and '_' (at most 64).";
        }
        if (Object.keys(local).length) {
          setErrors(local);
          setMessage("Correct the fields marked in red.");
          return;
        }
        // a local date: from its midnight in this browser's time zone
        const recomputeFrom = recompute === "from" ? Math.max(new Date(`${recomputeDay}T00:00`).getTime(), Date.now() - maxDays * DAY + 60_000) : undefined;
        const r = await postJson<{ label: string; recompute: { from: string; jobs: number; error?: string } | null }>("/api/v1/admin/loss-mappings", {
          enterprise: enterprise.slug,
          name: saveAs === "new" ? newName.trim() : mapping.name,
          basedOnVersion: saveAs === "new" ? 0 : from.version,
          ...draft,
          makeDefault,
          machines: [...picked],
          ...(recomputeFrom !== undefined ? { recomputeFrom } : {}),
        });
        if (!r.ok) {
          setErrors(r.fields);
          setMessage(r.message);
          // someone saved a newer version meanwhile: start from it, keeping this draft's rules
          if (r.status === 409 && saveAs === "version") {
            await onStale();
            setErrors({});
            setMessage(
              "Someone else saved a newer version meanwhile. The form now starts from the newest version with your rules kept: check the changes shown and save again.",
            );
          }
          return;
        }
        const rc = r.data.recompute;
        const used = makeDefault || picked.size > 0;
        await onSaved(
          `Saved ${r.data.label}. ${used ? "" : "No machine uses it yet (assign machines or make it the default). "}${
            rc?.error
              ? `The version is saved (do not save it again), but ${rc.error}. OEE of the other days keeps its earlier figures.`
              : rc
                ? `OEE from ${rc.from.slice(0, 16).replace("T", " ")} UTC is being recomputed (${rc.jobs} day jobs).`
                : "It applies to OEE buckets computed from now on; figures already computed keep the version that made them."
          }`,
          r.data.label,
        );
      }}
    >
      <h4>
        {saveAs === "new" ? "New mapping" : "New version"} {target}, from {from.label}
      </h4>
      <fieldset className="small">
        <legend>Save as</legend>
        <label>
          <input
            type="radio"
            name="save-as"
            checked={saveAs === "version"}
            onChange={() => {
              setSaveAs("version");
              if (versionChoice) {
                setPicked(versionChoice.picked);
                setMakeDefault(versionChoice.makeDefault);
              }
            }}
          />{" "}
          the next version of {mapping.name} ({mapping.name}@v{from.version + 1})
        </label>
        <label>
          <input
            type="radio"
            name="save-as"
            checked={saveAs === "new"}
            onChange={() => {
              // a new mapping starts with no machines and not as the default: pick them below
              setVersionChoice({ picked, makeDefault });
              setSaveAs("new");
              setPicked(new Set());
              setMakeDefault(false);
            }}
            aria-label="Save as a new mapping"
          />{" "}
          a new mapping named <input value={newName} onChange={(e) => setNewName(e.target.value)} maxLength={64} aria-label="New mapping name" /> (v1; for
          machines that count losses differently, e.g. a line with its own changeover rules)
        </label>
        {err("name")}
      </fieldset>
      <div className="command-form">
        <label>
          Small stop below (s)
          <input type="number" step="any" value={micro} onChange={(e) => setMicro(e.target.value)} aria-label="Micro-stop threshold (s)" />
          {err("microStopThresholdS")}
        </label>
        <label>
          Startup window (s, 0 = off)
          <input type="number" step="any" value={startup} onChange={(e) => setStartup(e.target.value)} aria-label="Startup window (s)" />
          {err("startupWindowS")}
        </label>
      </div>
      <table className="reasons rules">
        <thead>
          <tr>
            <th>state</th>
            <th>exact code</th>
            <th>code category</th>
            <th>reason</th>
            <th>loss</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => {
            const n = i + 1;
            const bad = Object.keys(errors).some((k) => k.startsWith(`rules.${i}.`));
            return (
              // biome-ignore lint/suspicious/noArrayIndexKey: rules have no identity until saved
              <tr key={i} className={bad ? "invalid" : ""}>
                <td>
                  <select value={r.state} onChange={(e) => set(i, { state: e.target.value })} aria-label={`rule ${n} state`}>
                    <option value="">any</option>
                    {STATES.map((s) => (
                      <option key={s} value={s}>
                        {s}
                      </option>
                    ))}
                  </select>
                  {err(`rules.${i}.state`)}
                </td>
                <td>
                  <input type="number" value={r.code} onChange={(e) => set(i, { code: e.target.value })} aria-label={`rule ${n} code`} />
                  {err(`rules.${i}.code`)}
                </td>
                <td>
                  <input
                    type="number"
                    step={10000}
                    value={r.category}
                    onChange={(e) => set(i, { category: e.target.value })}
                    aria-label={`rule ${n} category`}
                  />
                  {err(`rules.${i}.category`)}
                </td>
                <td>
                  <input value={r.reason} onChange={(e) => set(i, { reason: e.target.value })} aria-label={`rule ${n} reason`} />
                  {err(`rules.${i}.reason`)}
                </td>
                <td>
                  <select value={r.loss} onChange={(e) => set(i, { loss: e.target.value })} aria-label={`rule ${n} loss`}>
                    {LOSS_CATEGORIES.map((l) => (
                      <option key={l} value={l}>
                        {l}
                      </option>
                    ))}
                  </select>
                  {err(`rules.${i}.loss`)}
                </td>
                <td>
                  <button type="button" className="link-button" onClick={() => setRows(rows.filter((_r, j) => j !== i))} aria-label={`remove rule ${n}`}>
                    remove
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {err("rules")}
      <button
        type="button"
        className="link-button"
        onClick={() => setRows([...rows, { state: "", code: "", category: "", reason: "", loss: "UNPLANNED_STOP" }])}
      >
        + add a rule
      </button>
      <DiffList diff={diffMappings(from, { ...draft, rules: draft.rules as Version["rules"] })} against={from.label} />
      <fieldset className="small">
        <legend>Who uses it</legend>
        <label>
          <input type="checkbox" checked={makeDefault} onChange={(e) => setMakeDefault(e.target.checked)} /> the enterprise default (machines without a mapping
          of their own follow it; now {enterprise.default ?? "none"})
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
                  setPicked(next);
                }}
                aria-label={`assign ${m.key}`}
              />{" "}
              {m.key.split("/").slice(1).join("/")} <span className="muted">({m.uses})</span>
            </label>
          ))}
        </div>
        {err("machines")}
      </fieldset>
      <fieldset className="small">
        <legend>OEE already computed</legend>
        <label>
          <input type="radio" name="recompute" checked={recompute === "none"} onChange={() => setRecompute("none")} /> keep it: the new version applies to
          buckets computed from now on (each figure names the version that made it)
        </label>
        <label>
          <input type="radio" name="recompute" checked={recompute === "from"} onChange={() => setRecompute("from")} aria-label="Recompute from a date" />{" "}
          recompute {enterprise.name}'s OEE from{" "}
          <input
            type="date"
            value={recomputeDay}
            min={minDay}
            max={new Date().toISOString().slice(0, 10)}
            onChange={(e) => setRecomputeDay(e.target.value)}
            aria-label="Recompute from"
          />{" "}
          to now (at most {maxDays} days back) with the mappings then assigned
        </label>
        {err("recomputeFrom")}
      </fieldset>
      <button type="submit" className="button">
        Save {target}
      </button>{" "}
      <button type="button" className="link-button" onClick={onCancel}>
        Cancel
      </button>
      {message ? (
        <div className="form-error" role="alert" data-testid="mapping-error">
          {message}
        </div>
      ) : null}
    </form>
  );
}
