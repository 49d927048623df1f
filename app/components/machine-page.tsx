"use client";

import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ReferenceArea, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { MachineDetail } from "#lib/features/dashboard/machine.ts";
import { LOSS_COLOR } from "./loss-colors.ts";
import { clockOrDay } from "./plant-format.ts";
import { RulChart } from "./rul-chart.tsx";

const ZONE_COLOR = { A: "#2ea04333", B: "#3fb95018", C: "#d2992233", D: "#da363333" } as const;
const tip = { contentStyle: { background: "#182029", border: "1px solid #2d3a47" } };

export function MachinePage({ detail: d, canCommand = false }: { detail: MachineDetail; canCommand?: boolean }) {
  const tz = d.machine.timeZone;
  const hm = (t: number) => new Intl.DateTimeFormat("en-GB", { timeZone: tz, hour: "2-digit", minute: "2-digit" }).format(new Date(t));
  const dhm = (t: number) =>
    new Intl.DateTimeFormat("en-GB", { timeZone: tz, day: "2-digit", month: "short", hour: "2-digit", minute: "2-digit" }).format(new Date(t));
  const [ab, bc, cd] = d.machine.zoneLimits as [number, number, number];
  const top = Math.max(cd * 1.25, ...d.vibration.map((v) => v.velocityMax * 1.1));
  const oee = d.hours.map((h) => ({
    t: hm(h.ts),
    OEE: h.kpis.oee === null ? null : Math.round(h.kpis.oee * 1000) / 10,
    Availability: h.kpis.availability === null ? null : Math.round(h.kpis.availability * 1000) / 10,
    Performance: h.kpis.performance === null ? null : Math.round(h.kpis.performance * 1000) / 10,
    Quality: h.kpis.quality === null ? null : Math.round(h.kpis.quality * 1000) / 10,
  }));
  const counts = d.hours.map((h) => ({ t: hm(h.ts), good: h.good, reject: h.reject }));
  const vib = d.vibration.map((v) => ({ t: hm(v.ts), velocity: Math.round(v.velocity * 100) / 100, max: Math.round(v.velocityMax * 100) / 100 }));
  const span = Math.max(1, d.to - d.from);
  // an alert onset marks the chart at the nearest sample (the x axis is one category per sample)
  const markers = d.anomalies.flatMap((a) => {
    let best: (typeof d.vibration)[number] | undefined;
    for (const v of d.vibration) if (!best || Math.abs(v.ts - a.ts) < Math.abs(best.ts - a.ts)) best = v;
    return best ? [{ ...a, t: hm(best.ts) }] : [];
  });
  return (
    <>
      <h1>{d.machine.name}</h1>
      <div className="sub">
        <a href={`/sites/${d.machine.site}`}>{d.machine.site.split("/")[1]}</a> · {d.machine.line} · ideal cycle {d.machine.idealCycleTimeS} s · ISO 10816-3{" "}
        {d.machine.vibrationGroup === "GROUP_1" ? "group 1" : "group 2"}, {d.machine.foundation.toLowerCase()} foundation · last 24 h, {tz}
      </div>
      <div className="kpis machine-now">
        <span>
          State now <b data-testid="state-now">{d.state ? d.state.name : "no data"}</b>
          {d.state ? <span className="muted"> since {clockOrDay(d.state.since, d.to, tz)}</span> : null}
        </span>
        <span>
          Vibration zone{" "}
          <b data-testid="zone-now" className={`zone-${d.zone?.now ?? "none"}`}>
            {d.zone ? `${d.zone.now} (${d.zone.velocity.toFixed(2)} mm/s)` : "no vibration data"}
          </b>
        </span>
      </div>
      <div className="card">
        <h2>State timeline</h2>
        <svg viewBox="0 0 1000 22" preserveAspectRatio="none" className="timeline-big" role="img" aria-label="state timeline">
          {d.timeline.map((s) => (
            <rect
              key={s.start}
              x={((s.start - d.from) / span) * 1000}
              y={0}
              width={Math.max(0.5, ((s.end - s.start) / span) * 1000)}
              height={22}
              fill={LOSS_COLOR[s.loss] ?? "#444"}
            >
              <title>{`${s.state}${s.reason ? ` — ${s.reason}` : ""}: ${hm(s.start)}–${hm(s.end)}`}</title>
            </rect>
          ))}
        </svg>
        <div className="tl-axis" style={{ marginLeft: 0 }}>
          <span>{dhm(d.from)}</span>
          <span>{dhm(d.to)}</span>
        </div>
      </div>
      <div className="grid2">
        <div className="card">
          <h2>OEE per hour</h2>
          {oee.length === 0 ? (
            <div className="muted">No closed hour yet in the last 24 h: hourly figures appear a few minutes after each hour.</div>
          ) : (
            <div className="chart" style={{ height: 260 }}>
              <ResponsiveContainer>
                <LineChart data={oee} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
                  <CartesianGrid stroke="#2d3a47" strokeDasharray="3 3" />
                  <XAxis dataKey="t" stroke="#8b98a5" fontSize={11} />
                  <YAxis domain={[0, 100]} unit=" %" stroke="#8b98a5" fontSize={11} />
                  <Tooltip {...tip} formatter={(v) => `${v} %`} />
                  <Legend />
                  <Line dataKey="OEE" stroke="#58a6ff" strokeWidth={2} dot={false} isAnimationActive={false} />
                  <Line dataKey="Availability" stroke="#3fb950" dot={false} isAnimationActive={false} />
                  <Line dataKey="Performance" stroke="#d29922" dot={false} isAnimationActive={false} />
                  <Line dataKey="Quality" stroke="#bc8cff" dot={false} isAnimationActive={false} />
                </LineChart>
              </ResponsiveContainer>
            </div>
          )}
        </div>
        <div className="card">
          <h2>Good parts and rejects per hour</h2>
          {counts.length === 0 ? (
            <div className="muted">No closed hour yet.</div>
          ) : (
            <div className="chart" style={{ height: 260 }}>
              <ResponsiveContainer>
                <BarChart data={counts} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
                  <CartesianGrid stroke="#2d3a47" strokeDasharray="3 3" />
                  <XAxis dataKey="t" stroke="#8b98a5" fontSize={11} />
                  <YAxis
                    stroke="#8b98a5"
                    fontSize={11}
                    width={56}
                    allowDecimals={false}
                    label={{ value: "parts", angle: -90, position: "insideLeft", fill: "#8b98a5", fontSize: 11 }}
                  />
                  <Tooltip {...tip} />
                  <Legend />
                  <Bar dataKey="good" stackId="c" fill="#2ea043" isAnimationActive={false} />
                  <Bar dataKey="reject" stackId="c" fill="#da3633" isAnimationActive={false} />
                </BarChart>
              </ResponsiveContainer>
            </div>
          )}
        </div>
      </div>
      <div className="card" data-testid="vibration">
        <h2>
          Vibration velocity RMS against the ISO 10816-3 zones{" "}
          <small>
            A/B {ab} · B/C {bc} · C/D {cd} mm/s; mean and maximum per {d.to - d.from <= 86_400_000 ? "5 minutes" : "hour"}
          </small>
        </h2>
        {vib.length === 0 ? (
          <div className="muted">No vibration features from this machine in the last 24 h.</div>
        ) : (
          <div className="chart" style={{ height: 280 }}>
            <ResponsiveContainer>
              <LineChart data={vib} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
                <CartesianGrid stroke="#2d3a47" strokeDasharray="3 3" />
                <ReferenceArea y1={0} y2={ab} fill={ZONE_COLOR.A} label={{ value: "A", fill: "#8b98a5", position: "insideLeft" }} />
                <ReferenceArea y1={ab} y2={bc} fill={ZONE_COLOR.B} label={{ value: "B", fill: "#8b98a5", position: "insideLeft" }} />
                <ReferenceArea y1={bc} y2={cd} fill={ZONE_COLOR.C} label={{ value: "C", fill: "#8b98a5", position: "insideLeft" }} />
                <ReferenceArea y1={cd} y2={top} fill={ZONE_COLOR.D} label={{ value: "D", fill: "#8b98a5", position: "insideLeft" }} />
                <XAxis dataKey="t" stroke="#8b98a5" fontSize={11} />
                <YAxis
                  domain={[0, top]}
                  stroke="#8b98a5"
                  fontSize={11}
                  width={48}
                  tickFormatter={(v: number) => v.toFixed(1)}
                  label={{ value: "mm/s", angle: -90, position: "insideLeft", fill: "#8b98a5", fontSize: 11 }}
                />
                <Tooltip {...tip} formatter={(v) => `${v} mm/s`} />
                <Legend />
                {markers.map((a) => (
                  <ReferenceLine
                    key={`${a.cause}-${a.ts}`}
                    x={a.t}
                    stroke={a.severity === "CRITICAL" ? "#ff7b72" : "#d29922"}
                    strokeDasharray="3 3"
                    label={{ value: `⚠ ${a.cause.split(":")[1] ?? a.cause}`, fill: "#c9d1d9", fontSize: 10, position: "insideTopRight" }}
                  />
                ))}
                <Line dataKey="velocity" name="mean" stroke="#58a6ff" dot={false} isAnimationActive={false} />
                <Line dataKey="max" name="maximum" stroke="#ff7b72" dot={false} strokeDasharray="4 2" isAnimationActive={false} />
              </LineChart>
            </ResponsiveContainer>
          </div>
        )}
      </div>
      <RulChart detail={d} hm={hm} />
      <div className="card" data-testid="machine-alerts">
        <h2>
          Open alerts{" "}
          <small>
            ISO zones and the drift detector; <a href="/alerts">all alerts</a>
          </small>
        </h2>
        {d.alerts.length === 0 ? (
          <div className="muted">No open alerts for this machine.</div>
        ) : (
          d.alerts.map((a) => (
            <div key={a.id} className="alert-line">
              <span className={`sev ${a.severity.toLowerCase()}`}>{a.severity.toLowerCase()}</span> {a.explanation}{" "}
              <span className="muted">
                since {clockOrDay(Date.parse(a.onsetAt), d.to, tz)}, {a.status.toLowerCase()}. {a.suggestedAction}.
              </span>
              {canCommand ? (
                <span className="small">
                  {" "}
                  <a href={`?command=request_inspection&alert=${a.id}#commands`} data-testid="prepare-inspection">
                    request inspection
                  </a>{" "}
                  · <a href={`?command=slow_down&alert=${a.id}#commands`}>slow down</a>
                </span>
              ) : null}
            </div>
          ))
        )}
        <div className="muted small" data-testid="anomaly-count">
          {d.anomalies.length === 0
            ? "No alert began in the last 24 h."
            : `${d.anomalies.length} alert${d.anomalies.length === 1 ? "" : "s"} began in the last 24 h: dashed lines on the vibration chart.`}
        </div>
      </div>
    </>
  );
}
