"use client";

// The shift's losses on the plant board: the six big losses in machine-hours, the top downtime
// reasons, and (for who may give reasons) the stops as a list to pick one with the keyboard.
import { Bar, BarChart, CartesianGrid, Cell, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { MachineView, PlantView, Segment } from "#lib/features/dashboard/plant.ts";
import { duration, fmt, isStop } from "./plant-format.ts";

export function PlantLosses({ view, canEditReasons, onPick }: { view: PlantView; canEditReasons: boolean; onPick: (m: MachineView, s: Segment) => void }) {
  const lossHours = view.losses.map((l) => ({ name: l.name, hours: Math.round((l.seconds / 3600) * 100) / 100 }));
  return (
    <div className="grid2">
      <div className="card">
        <h2>Six big losses, this shift</h2>
        <div className="chart" style={{ height: 260 }}>
          <ResponsiveContainer>
            <BarChart data={lossHours} layout="vertical" margin={{ top: 8, right: 16, bottom: 8, left: 40 }}>
              <CartesianGrid stroke="#2d3a47" strokeDasharray="3 3" />
              <XAxis type="number" unit=" h" stroke="#8b98a5" fontSize={11} />
              <YAxis type="category" dataKey="name" stroke="#8b98a5" fontSize={11} width={150} />
              <Tooltip contentStyle={{ background: "#182029", border: "1px solid #2d3a47" }} formatter={(v) => `${v} machine-h`} />
              <Bar dataKey="hours" isAnimationActive={false}>
                {lossHours.map((l) => (
                  <Cell key={l.name} fill={l.name.includes("reject") ? "#bc8cff" : l.name === "Breakdowns" ? "#da3633" : "#ff7b72"} />
                ))}
              </Bar>
            </BarChart>
          </ResponsiveContainer>
        </div>
      </div>
      <div className="card">
        <h2>Top downtime reasons, this shift</h2>
        {view.reasons.length === 0 ? (
          <div className="muted">No unplanned stops so far.</div>
        ) : (
          <table className="reasons" data-testid="reasons">
            <tbody>
              {view.reasons.map((r) => (
                <tr key={r.reason}>
                  <td>{r.reason}</td>
                  <td className="num">{duration(r.seconds * 1000)}</td>
                  <td className="num muted">{r.stops} stops</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {canEditReasons ? <StopList view={view} onPick={onPick} /> : null}
      </div>
    </div>
  );
}

/** The stops of the shift as a list, to pick one with the keyboard. */
function StopList({ view, onPick }: { view: PlantView; onPick: (m: MachineView, s: Segment) => void }) {
  const stops = view.machines.flatMap((m) => m.timeline.filter((s) => isStop(s.loss)).map((s) => ({ m, s }))).sort((a, b) => b.s.start - a.s.start);
  return (
    <details className="stops">
      <summary>Give a stop a reason ({stops.length} stops this shift)</summary>
      <ul>
        {stops.slice(0, 50).map(({ m, s }) => (
          <li key={`${m.key}-${s.start}`}>
            <button type="button" className="link-button" onClick={() => onPick(m, s)}>
              {m.name}: {s.state}
              {s.reason ? ` — ${s.reason}` : ""}, {fmt(s.start, view.site.timeZone)} ({duration(s.end - s.start)})
            </button>
          </li>
        ))}
      </ul>
    </details>
  );
}
