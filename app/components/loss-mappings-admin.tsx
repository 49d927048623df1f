"use client";

// Loss-mapping versions for admins: every version's rules (read-only) and what changed from the one
// before; a new version edited from the latest, checked here and on the server with the same rules
// (lib/domain/oee/loss-mapping-draft.ts), made the default or given to machines, and, if asked, OEE
// recomputed from a date (else the new version applies to buckets computed from now on).
import { useState } from "react";
import { VersionEditor } from "./loss-mapping-editor.tsx";
import type { Data, Enterprise, Mapping, Version } from "./loss-mapping-types.ts";
import { VersionView } from "./loss-mapping-view.tsx";

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
