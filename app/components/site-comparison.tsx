"use client";

import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { SiteFigures } from "#lib/features/dashboard/oee-read.ts";

const SITE_COLORS = ["#58a6ff", "#3fb950", "#d29922", "#bc8cff", "#ff7b72", "#79c0ff"];
/** The usual "world class" OEE reference (Nakajima): 85 %. */
const WORLD_CLASS = 85;

const pct = (v: number | null | undefined) => (v === null || v === undefined ? "—" : `${(v * 100).toFixed(1)} %`);
const hours = (s: number) => `${(s / 3600).toFixed(1)} h`;

const LOSS_NAMES: Record<string, string> = {
  breakdowns: "Breakdowns",
  setups: "Setups and adjustments",
  smallStops: "Small stops",
  reducedSpeed: "Reduced speed",
  rejects: "Rejects (quality)",
  otherStops: "Other unplanned stops",
};

/**
 * The x position of a bucket on the trend: minutes and hours are instants shared by every site (shown
 * in the viewer's time zone); days are each site's local date; shifts their local date and name.
 */
function bucketKey(b: SiteFigures["series"][number], granularity: string): { key: string; label: string } {
  if ((granularity === "day" || granularity === "shift") && b.label) return { key: b.label, label: b.label };
  const f = new Intl.DateTimeFormat(
    "en-GB",
    granularity === "minute" ? { hour: "2-digit", minute: "2-digit" } : { day: "2-digit", month: "short", hour: "2-digit", minute: "2-digit" },
  );
  return { key: b.ts, label: f.format(new Date(b.ts)) };
}

export function SiteComparison({
  sites,
  granularity,
  csvHref,
  periodLabel,
}: {
  sites: SiteFigures[];
  granularity: string;
  csvHref: string;
  periodLabel: string;
}) {
  const ranked = [...sites].sort((a, b) => (b.totals.kpis.oee ?? -1) - (a.totals.kpis.oee ?? -1));
  const withData = sites.filter((s) => s.series.length > 0);
  // trend: one row per bucket label, one column per site (site-local labels for days)
  const byKey = new Map<string, Record<string, number | string>>();
  for (const s of withData) {
    for (const b of s.series) {
      const { key, label } = bucketKey(b, granularity);
      const row = byKey.get(key) ?? { key, label };
      if (b.kpis.oee !== null) row[s.key] = Math.round(b.kpis.oee * 1000) / 10;
      byKey.set(key, row);
    }
  }
  const trend = [...byKey.values()].sort((a, b) => String(a.key).localeCompare(String(b.key)));
  const axisNote =
    granularity === "minute" || granularity === "hour" ? "your local time" : granularity === "day" ? "each site's local date" : "each site's shifts";
  const losses = Object.keys(LOSS_NAMES)
    .map((k) => ({
      name: LOSS_NAMES[k],
      hours: Math.round((sites.reduce((a, s) => a + (s.totals.losses[k as keyof typeof s.totals.losses] ?? 0), 0) / 3600) * 10) / 10,
    }))
    .sort((a, b) => b.hours - a.hours);

  if (withData.length === 0) {
    return (
      <div className="empty" data-testid="no-oee">
        <h2>No OEE computed for {periodLabel} yet</h2>
        <p>
          The roll-up jobs write a site's figures when each bucket closes: minutes within a minute, hours a few minutes after the hour, days after each site's
          local midnight (docs/oee.md). On a fresh start, <a href="/?period=1h">the last hour</a> fills first.
        </p>
      </div>
    );
  }
  return (
    <>
      <div className="toolbar">
        <span className="muted">Site figures are roll-ups of planned time, run time and counts over {periodLabel} — never averages of percentages.</span>
        <a className="button" href={csvHref} data-testid="csv">
          Export CSV
        </a>
      </div>
      <div className="site-cards" data-testid="site-ranking">
        {ranked.map((s, i) => {
          const k = s.totals.kpis;
          const good = (k.oee ?? 0) * 100 >= WORLD_CLASS;
          return (
            <div className="card site-card" key={s.key} data-testid={`site-${s.key.split("/")[1]}`}>
              <h2>
                <span className="rank">{s.series.length ? `#${i + 1}` : "—"}</span>{" "}
                <a href={`/sites/${s.key}`} data-testid="site-name">
                  {s.name}
                </a>{" "}
                <small>{s.timeZone}</small>
              </h2>
              <div className={`big ${good ? "good" : ""}`} data-testid="oee">
                {s.series.length === 0 ? (
                  <span className="muted small" data-testid="no-data">
                    {granularity === "shift"
                      ? // a site's shift figures exist only for its shifts: Dresden on a Saturday evening has had none in the last 24 hours
                        "no shift in this period, or none computed yet (a shift's figures are written once it has ended)"
                      : "no data: nothing computed for this site in this period (a new site, or its machines have not reported)"}
                  </span>
                ) : s.totals.elements.plannedBusyS > 0 ? (
                  pct(k.oee)
                ) : (
                  <span className="muted small">no planned time in this period (no shift, or a break)</span>
                )}
              </div>
              <div className="kpis">
                <span>
                  Availability <b>{pct(k.availability)}</b>
                </span>
                <span>
                  Performance <b>{pct(k.performance)}</b>
                </span>
                <span>
                  Quality <b>{pct(k.quality)}</b>
                </span>
              </div>
              <div className="muted small">
                {hours(s.totals.elements.plannedBusyS).replace(" h", " machine-h")} planned · {s.totals.elements.good.toLocaleString("en")} good of{" "}
                {s.totals.elements.total.toLocaleString("en")} · MTBF {k.mtbfS === null ? "—" : hours(k.mtbfS)} · MTTR{" "}
                {k.mttrS === null ? "—" : `${Math.round(k.mttrS / 60)} min`}
              </div>
            </div>
          );
        })}
      </div>
      <div className="grid2">
        <div className="card">
          <h2>
            OEE trend{" "}
            <small>
              per {granularity}, {axisNote}
            </small>
          </h2>
          <div className="chart" style={{ height: 300 }}>
            <ResponsiveContainer>
              <LineChart data={trend} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
                <CartesianGrid stroke="#2d3a47" strokeDasharray="3 3" />
                <XAxis dataKey="label" stroke="#8b98a5" fontSize={11} />
                <YAxis domain={[0, 100]} unit=" %" stroke="#8b98a5" fontSize={11} />
                <Tooltip contentStyle={{ background: "#182029", border: "1px solid #2d3a47" }} formatter={(v) => `${v} %`} />
                <Legend />
                <ReferenceLine
                  y={WORLD_CLASS}
                  stroke="#3fb950"
                  strokeDasharray="6 3"
                  label={{ value: "world class 85 %", fill: "#3fb950", fontSize: 11, position: "insideTopRight" }}
                />
                {withData.map((s, i) => (
                  <Line
                    key={s.key}
                    type="monotone"
                    dataKey={s.key}
                    name={s.name}
                    stroke={SITE_COLORS[i % SITE_COLORS.length]}
                    dot={false}
                    strokeWidth={2}
                    isAnimationActive={false}
                  />
                ))}
              </LineChart>
            </ResponsiveContainer>
          </div>
        </div>
        <div className="card">
          <h2>Losses that cost the most</h2>
          <div className="chart" style={{ height: 300 }} data-testid="losses">
            <ResponsiveContainer>
              <BarChart data={losses} layout="vertical" margin={{ top: 8, right: 16, bottom: 8, left: 40 }}>
                <CartesianGrid stroke="#2d3a47" strokeDasharray="3 3" />
                <XAxis type="number" unit=" h" stroke="#8b98a5" fontSize={11} />
                <YAxis type="category" dataKey="name" stroke="#8b98a5" fontSize={11} width={150} />
                <Tooltip contentStyle={{ background: "#182029", border: "1px solid #2d3a47" }} formatter={(v) => `${v} h`} />
                <Bar dataKey="hours" name="Lost time" fill="#ff7b72" isAnimationActive={false} />
              </BarChart>
            </ResponsiveContainer>
          </div>
        </div>
      </div>
    </>
  );
}
