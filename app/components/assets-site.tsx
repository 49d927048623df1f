"use client";

// A site's areas (renamed in place, an empty one removed), and the forms to add an area or a line.
import { useState } from "react";
import type { Site } from "./assets-types.ts";
import { NewAreaForm, NewLineForm, Remove, Rename } from "./structure-admin.tsx";

export function SiteStructure({ site, onChange }: { site: Site; onChange: () => Promise<void> }) {
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
