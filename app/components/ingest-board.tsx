"use client";

import { useEffect, useState } from "react";
import { Area, AreaChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { IngestStatus, MachineStatus } from "#lib/features/dashboard/ingest-status.ts";
import type { ProcessesView } from "#lib/features/dashboard/process-status.ts";
import type { ProcessStatus } from "#lib/features/stack/supervisor.ts";
import { minuteTicks } from "./minute-ticks.ts";
import { OeeRollupProgress } from "./oee-progress.tsx";

const SITE_COLORS = ["#58a6ff", "#3fb950", "#d29922", "#bc8cff", "#ff7b72", "#79c0ff"];
const SILENT_AFTER_MS = 30_000;

function stateClass(m: MachineStatus, now: number): string {
  const silent = !m.lastSeen || now - Date.parse(m.lastSeen) > SILENT_AFTER_MS ? " silent" : "";
  const s = m.state ?? "";
  if (s === "running") return `tile running${silent}`;
  if (s === "low_speed" || s === "micro_stop") return `tile slow${silent}`;
  if (["changeover", "setting_up", "cleaning", "changeover_preparation", "changeover_post_processing"].includes(s)) return `tile setup${silent}`;
  if (["break", "no_shift", "no_order", "preventive_maintenance"].includes(s) || !s) return `tile${silent}`;
  return `tile stopped${silent}`;
}

function ago(iso: string | null, now: number): string {
  if (!iso) return "never seen";
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  return `${Math.floor(s / 3600)} h ago`;
}

function localTime(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", second: "2-digit" }).format(new Date(iso));
}

export function IngestBoard({ initial }: { initial: IngestStatus }) {
  const [data, setData] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const [now, setNow] = useState(() => Date.parse(initial.generatedAt));

  useEffect(() => {
    let alive = true;
    const poll = async () => {
      try {
        const res = await fetch("/api/v1/ingest/status", { cache: "no-store" });
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        const next = (await res.json()) as IngestStatus;
        if (alive) {
          setData(next);
          setNow(Date.parse(next.generatedAt));
          setError(null);
        }
      } catch (e) {
        if (alive) setError((e as Error).message);
      }
    };
    const t = setInterval(poll, 2000);
    return () => {
      alive = false;
      clearInterval(t);
    };
  }, []);

  const sites = data.sites;
  const total = sites.reduce((s, x) => s + x.messagesLastMinute, 0);
  return (
    <>
      {error && <div className="banner">Lost contact with the server ({error}); showing the last data received.</div>}
      {data.questdb !== "ok" && <div className="banner">QuestDB is not answering: {data.questdb}</div>}
      {sites.length === 0 && <div className="banner">The asset model has no machines yet. Run `andon db seed`.</div>}
      <div className="legend" data-testid="summary">
        <span>
          <b>{total.toLocaleString("en")}</b> messages in the last minute across {sites.length} sites, {sites.reduce((s, x) => s + x.machines.length, 0)}{" "}
          machines
        </span>
        <span>
          <i style={{ background: "var(--running)" }} />
          running
        </span>
        <span>
          <i style={{ background: "var(--slow)" }} />
          slow / micro-stop
        </span>
        <span>
          <i style={{ background: "var(--setup)" }} />
          changeover
        </span>
        <span>
          <i style={{ background: "var(--stopped)" }} />
          stopped
        </span>
        <span>
          <i style={{ background: "var(--planned)" }} />
          planned stop / no data
        </span>
        <span className="muted">faded: silent for over {SILENT_AFTER_MS / 1000} s</span>
      </div>

      <div className="card" style={{ marginBottom: 16 }}>
        <h2>
          Messages per second, stacked by site <small>last 15 min, complete 30 s buckets, UTC</small>
        </h2>
        <div className="chart">
          {data.rate.length === 0 ? (
            <div className="skeleton">No telemetry in the last 15 minutes yet.</div>
          ) : (
            <ResponsiveContainer width="100%" height="100%">
              <AreaChart data={data.rate} margin={{ top: 10, right: 20, bottom: 5, left: 0 }}>
                <CartesianGrid stroke="#2d3a47" strokeDasharray="3 3" />
                <XAxis dataKey="t" ticks={minuteTicks(data.rate)} interval={0} tickFormatter={(t: string) => t.slice(11, 16)} stroke="#8b98a5" fontSize={11} />
                <YAxis stroke="#8b98a5" fontSize={11} unit="/s" width={50} />
                <Tooltip contentStyle={{ background: "#182029", border: "1px solid #2d3a47" }} labelFormatter={(t) => `${String(t).slice(11, 19)} UTC`} />
                <Legend />
                {sites.map((s, i) => (
                  <Area
                    key={s.site}
                    type="monotone"
                    stackId="sites"
                    dataKey={s.site}
                    name={s.name}
                    stroke={SITE_COLORS[i % SITE_COLORS.length]}
                    fill={SITE_COLORS[i % SITE_COLORS.length]}
                    fillOpacity={0.35}
                    isAnimationActive={false}
                  />
                ))}
              </AreaChart>
            </ResponsiveContainer>
          )}
        </div>
      </div>

      <div className="grid">
        {sites.map((s) => {
          const lines = [...new Set(s.machines.map((m) => m.line))];
          const seen = s.machines.filter((m) => m.lastSeen && now - Date.parse(m.lastSeen) <= SILENT_AFTER_MS).length;
          return (
            <section className="card" key={`${s.enterprise}/${s.site}`} data-testid={`site-${s.site}`}>
              <h2>
                {s.name}{" "}
                <small>
                  {localTime(data.generatedAt, s.timeZone)} {s.timeZone}
                </small>
              </h2>
              <div className="kpis">
                <span>
                  <b data-testid="site-rate">{s.messagesLastMinute.toLocaleString("en")}</b>messages / min
                </span>
                <span>
                  <b>
                    {seen} / {s.machines.length}
                  </b>
                  machines reporting
                </span>
              </div>
              {lines.map((l) => (
                <div key={l}>
                  <div className="line-name">{l}</div>
                  <div className="tiles">
                    {s.machines
                      .filter((m) => m.line === l)
                      .map((m) => (
                        <div className={stateClass(m, now)} key={m.key} title={`${m.key}${m.reason ? ` - ${m.reason}` : ""}`} data-testid="machine">
                          <div className="n">{m.name}</div>
                          <div className="s">{m.state?.replaceAll("_", " ") ?? "no state yet"}</div>
                          <div className="t">{ago(m.lastSeen, now)}</div>
                        </div>
                      ))}
                  </div>
                </div>
              ))}
            </section>
          );
        })}
      </div>

      <OeeRollupProgress rows={data.oeeRollup ?? []} />

      {data.processes?.supervised && data.processes.processes.length > 0 && <Processes view={data.processes} now={now} />}

      <div className="card" style={{ marginTop: 16 }}>
        <h2>
          Dead letters <small>{data.deadLetters.lastHour} in the last hour</small>
        </h2>
        {data.deadLetters.latest.length === 0 ? (
          <p className="muted" style={{ fontSize: 13 }}>
            No rejected messages (nor OEE rows QuestDB refused) in the last hour.
          </p>
        ) : (
          <table className="dl">
            <thead>
              <tr>
                <th>received (UTC)</th>
                <th>topic</th>
                <th>reason</th>
              </tr>
            </thead>
            <tbody>
              {data.deadLetters.latest.map((d) => (
                <tr key={`${d.ts}${d.topic}`}>
                  <td>{d.ts.slice(11, 19)}</td>
                  <td>{d.topic}</td>
                  <td>{d.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </>
  );
}

const STATE_TEXT: Record<ProcessStatus["state"], string> = {
  running: "running",
  restarting: "restarting",
  "crash-looping": "crash-looping",
  stopped: "stopped",
};

/** The stack's processes as `andon up` supervises them: a crash loop shows here with its last error. */
function Processes({ view, now }: { view: ProcessesView; now: number }) {
  return (
    <div className="card" style={{ marginTop: 16 }} data-testid="processes">
      <h2>
        Processes <small>{view.degraded ? "a process is restarting: see its last error" : `${view.processes.length} running under andon up`}</small>
      </h2>
      <table className="dl">
        <thead>
          <tr>
            <th>process</th>
            <th>state</th>
            <th>restarts</th>
            <th>last exit</th>
            <th>why it died (from its log)</th>
          </tr>
        </thead>
        <tbody>
          {view.processes.map((p) => (
            <tr key={p.name} className={p.state === "running" ? undefined : "bad"} data-testid={`process-${p.name}`}>
              <td>{p.name}</td>
              <td>{STATE_TEXT[p.state]}</td>
              <td>{p.restarts}</td>
              <td>{p.lastExit ? `${ago(p.lastExit.at, now)} (${p.lastExit.signal ?? `code ${p.lastExit.code}`})` : "—"}</td>
              <td>{p.lastExit?.error || (p.lastExit ? "no error in its log" : "")}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
