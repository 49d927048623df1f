"use client";

// The asset model for admins: per site its shift calendars, lines (with the calendar they follow) and
// machines; edit a machine's OEE and vibration settings, add a machine to a line.
import { useState } from "react";
import { CalendarBlock } from "./assets-calendar.tsx";
import { LineBlock } from "./assets-line.tsx";
import { SiteStructure } from "./assets-site.tsx";
import type { Tree } from "./assets-types.ts";
import { NewSiteForm, Remove, Rename } from "./structure-admin.tsx";

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
