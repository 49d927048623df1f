"use client";

import { CartesianGrid, Legend, Line, LineChart, ReferenceArea, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { MachineDetail } from "#lib/features/dashboard/machine.ts";

const tip = { contentStyle: { background: "#182029", border: "1px solid #2d3a47" } };

/** The trend's growth as people read it: a percentage per hour while small, else the time to double. */
const growth = (perHour: number) =>
  perHour <= 1 ? `+${(perHour * 100).toFixed(0)} %/h` : `doubling every ${inHours((Math.LN2 / Math.log1p(perHour)) * 3_600_000)}`;

const inHours = (ms: number) => {
  const h = ms / 3_600_000;
  return h < 1 ? `${Math.max(1, Math.round(h * 60))} min` : `${h.toFixed(h < 10 ? 1 : 0)} h`;
};

/**
 * Remaining useful life: the running velocity's block medians, the fitted exponential trend, the
 * ISO 10816-3 boundaries ahead and the forecast cone (the 90 % interval of the crossing).
 */
export function RulChart({ detail: d, hm }: { detail: MachineDetail; hm: (t: number) => string }) {
  const f = d.forecast;
  const [, bc, cd] = d.machine.zoneLimits as [number, number, number];
  if (f.kind === "none") {
    return (
      <div className="card" data-testid="rul">
        <h2>Remaining useful life</h2>
        <div className="muted" data-testid="rul-none">
          No forecast: {f.reason}.
        </div>
      </div>
    );
  }
  const end = f.etaHigh ?? f.fitted.at(-1)?.ts ?? f.eta;
  const right = Math.max(end, f.eta) + (Math.max(end, f.eta) - (f.points[0]?.ts ?? d.to)) * 0.05;
  const top = Math.max(cd * 1.15, ...f.points.map((p) => p.v * 1.1));
  const round = (p: { ts: number; v: number }) => ({ ts: p.ts, v: Math.round(p.v * 100) / 100 });
  // the exponential trend runs off any useful scale past the boundary: drawn up to the top of the chart
  const trend = clipAbove(f.fitted, top);
  // past a day, the clock time alone is ambiguous: "+2 d" says which day after now
  const tick = (t: number) => {
    const days = Math.floor((t - d.to) / 86_400_000);
    return right - (f.points[0]?.ts ?? d.to) > 20 * 3_600_000 && days > 0 ? `${hm(t)} +${days} d` : hm(t);
  };
  return (
    <div className="card" data-testid="rul">
      <h2>
        Remaining useful life{" "}
        <small data-testid="rul-forecast">
          zone {f.zone} ({f.boundary} mm/s) in ~{inHours(f.eta - d.to)} ({inHours(f.etaLow - d.to)}–{f.etaHigh === null ? "open" : inHours(f.etaHigh - d.to)},
          90 % interval); velocity {growth(f.growthPerHour)} over the last {inHours(f.windowMs)} of running
        </small>
      </h2>
      <div className="chart" style={{ height: 260 }}>
        <ResponsiveContainer>
          <LineChart margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
            <CartesianGrid stroke="#2d3a47" strokeDasharray="3 3" />
            <XAxis dataKey="ts" type="number" domain={[f.points[0]?.ts ?? d.to, right]} tickFormatter={tick} stroke="#8b98a5" fontSize={11} />
            <YAxis domain={[0, top]} allowDataOverflow stroke="#8b98a5" fontSize={11} width={48} tickFormatter={(v: number) => v.toFixed(1)} />
            <ReferenceArea
              x1={f.etaLow}
              x2={f.etaHigh ?? right}
              y1={0}
              y2={top}
              fill="#d2992233"
              label={{ value: "forecast interval", fill: "#c9d1d9", fontSize: 10 }}
            />
            <ReferenceLine y={bc} stroke="#d29922" label={{ value: `B/C ${bc}`, fill: "#8b98a5", fontSize: 10, position: "insideTopLeft" }} />
            <ReferenceLine y={cd} stroke="#da3633" label={{ value: `C/D ${cd}`, fill: "#8b98a5", fontSize: 10, position: "insideTopLeft" }} />
            <ReferenceLine x={d.to} stroke="#8b98a5" strokeDasharray="2 2" label={{ value: "now", fill: "#8b98a5", fontSize: 10 }} />
            <ReferenceLine x={f.eta} stroke="#d29922" strokeDasharray="4 2" />
            <Tooltip {...tip} labelFormatter={(t) => hm(Number(t))} formatter={(v) => `${v} mm/s`} />
            <Legend />
            <Line data={f.points.map(round)} dataKey="v" name="running velocity (block median)" stroke="#58a6ff" isAnimationActive={false} />
            <Line data={trend.map(round)} dataKey="v" name="trend" stroke="#d29922" strokeDasharray="4 2" dot={false} isAnimationActive={false} />
          </LineChart>
        </ResponsiveContainer>
      </div>
    </div>
  );
}

/** The points of a rising line up to where it reaches `top` (that crossing included). */
function clipAbove(points: readonly { ts: number; v: number }[], top: number): { ts: number; v: number }[] {
  const out: { ts: number; v: number }[] = [];
  for (const p of points) {
    const prev = out.at(-1);
    if (p.v <= top) out.push(p);
    else {
      if (prev) out.push({ ts: prev.ts + ((p.ts - prev.ts) * (top - prev.v)) / (p.v - prev.v), v: top });
      break;
    }
  }
  return out;
}
