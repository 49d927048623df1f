// The printable shift report (a server component: plain HTML and CSS bars, so Chromium's print and
// "Save as PDF" get exactly what the screen shows, in light colours on paper).
import type { ShiftReport } from "#lib/features/dashboard/shift-report.ts";
import { PrintButton } from "./print-button.tsx";
import css from "./shift-report.module.css";

const pct = (v: number | null | undefined) => (v === null || v === undefined ? "—" : `${(v * 100).toFixed(1)} %`);
const int = (v: number) => Math.round(v).toLocaleString("en-GB");

function dur(seconds: number | null): string {
  if (seconds === null) return "—";
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ""}`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

function when(ms: number | string | null, timeZone: string): string {
  if (ms === null) return "—";
  return new Intl.DateTimeFormat("en-GB", { timeZone, day: "2-digit", month: "short", hour: "2-digit", minute: "2-digit" }).format(new Date(ms));
}

const machineName = (key: string) => key.split("/").slice(2).join(" / ");

export function ShiftReportView({ report: r }: { report: ShiftReport }) {
  const tz = r.site.timeZone;
  const k = r.totals.kpis;
  const e = r.totals.elements;
  const lineName = new Map(r.lines.map((l) => [l.key, l.name]));
  const lossMax = Math.max(1, ...r.losses.map((l) => l.seconds));
  const downtimeS = e.breakdownS + e.setupS + e.otherStopS;
  const json = `/api/v1/sites/${r.site.key}/report?${r.period.kind}=${encodeURIComponent(r.period.id)}`;
  return (
    <article className={css.report} data-testid="shift-report">
      <div className={css.head}>
        <div>
          <h1>
            Shift report · {r.site.name} · <span data-testid="report-period">{r.period.label}</span>
          </h1>
          <div className="sub">
            {r.period.kind === "shift" ? "Shift" : "Day"} {when(r.period.start, tz)} – {when(r.period.end, tz)} ({tz}).{" "}
            {r.period.complete ? "Complete." : <b>In progress: figures so far.</b>} Generated {when(r.generatedAt, tz)}. OEE from the closed minute buckets, as
            on the plant board; reasons given later change it.
          </div>
        </div>
        <div className={`no-print ${css.tools}`}>
          <form method="get" className={css.pick}>
            <select name="p" defaultValue={`${r.period.kind}:${r.period.id}`} aria-label="Period">
              {r.periods.map((p) => (
                <option key={`${p.kind}:${p.id}`} value={`${p.kind}:${p.id}`}>
                  {p.kind === "day" ? `Day ${p.label}` : p.label}
                  {p.complete ? "" : " (in progress)"}
                </option>
              ))}
            </select>
            <button type="submit" className="button">
              Show
            </button>
          </form>
          <PrintButton />
          <span>
            <a href={json}>Data (JSON)</a> · <a href={`/sites/${r.site.key}`}>Plant board</a>
          </span>
        </div>
      </div>

      <section className={css.kpis} data-testid="report-kpis">
        <div>
          <b data-testid="report-oee">{pct(k.oee)}</b>OEE
        </div>
        <div>
          <b data-testid="report-availability">{pct(k.availability)}</b>Availability
        </div>
        <div>
          <b data-testid="report-performance">{pct(k.performance)}</b>Performance
        </div>
        <div>
          <b data-testid="report-quality">{pct(k.quality)}</b>Quality
        </div>
        <div>
          <b data-testid="report-good">{int(e.good)}</b>good of {int(e.total)}
        </div>
        <div>
          <b>{dur(e.plannedBusyS)}</b>planned busy time
        </div>
        <div>
          <b>{dur(downtimeS)}</b>downtime
        </div>
        <div>
          <b data-testid="report-microstops">{int(r.microStops.count)}</b>micro-stops ({dur(r.microStops.seconds)})
        </div>
        <div>
          <b>{dur(k.mtbfS)}</b>MTBF
        </div>
        <div>
          <b>{dur(k.mttrS)}</b>MTTR
        </div>
      </section>

      <section>
        <h2>Lines</h2>
        <table className={css.table} data-testid="report-lines">
          <thead>
            <tr>
              <th>Line</th>
              <th>OEE</th>
              <th>Availability</th>
              <th>Performance</th>
              <th>Quality</th>
              <th>Good</th>
              <th>Total</th>
              <th>Downtime</th>
            </tr>
          </thead>
          <tbody>
            {r.lines.map((l) => (
              <tr key={l.key} data-key={l.key}>
                <td>{l.name}</td>
                <td className="num">{pct(l.kpis.oee)}</td>
                <td className="num">{pct(l.kpis.availability)}</td>
                <td className="num">{pct(l.kpis.performance)}</td>
                <td className="num">{pct(l.kpis.quality)}</td>
                <td className="num">{int(l.elements.good)}</td>
                <td className="num">{int(l.elements.total)}</td>
                <td className="num">{dur(l.elements.breakdownS + l.elements.setupS + l.elements.otherStopS)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <div className={css.two}>
        <section>
          <h2>Six big losses</h2>
          <div data-testid="report-losses">
            {r.losses.map((l) => (
              <div key={l.name} className={css["loss-bar"]}>
                <span>{l.name}</span>
                <span className={css.bar}>
                  <i style={{ width: `${(100 * l.seconds) / lossMax}%` }} />
                </span>
                <span className="num">{dur(l.seconds)}</span>
              </div>
            ))}
          </div>
        </section>
        <section>
          <h2>Top downtime reasons</h2>
          {r.reasons.length === 0 ? (
            <p className="muted">No stops in this period.</p>
          ) : (
            <table className={css.table} data-testid="report-reasons">
              <thead>
                <tr>
                  <th>Reason</th>
                  <th>Stops</th>
                  <th>Time</th>
                </tr>
              </thead>
              <tbody>
                {r.reasons.map((x) => (
                  <tr key={x.reason}>
                    <td>{x.reason}</td>
                    <td className="num">{x.stops}</td>
                    <td className="num">{dur(x.seconds)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      </div>

      <section>
        <h2>Machines</h2>
        <table className={css.table} data-testid="report-machines">
          <thead>
            <tr>
              <th>Machine</th>
              <th>Line</th>
              <th>OEE</th>
              <th>A</th>
              <th>P</th>
              <th>Q</th>
              <th>Good</th>
              <th>Rejects</th>
              <th>Stops</th>
              <th>Micro-stops</th>
              <th>MTBF</th>
              <th>MTTR</th>
            </tr>
          </thead>
          <tbody>
            {r.machines.map((m) => (
              <tr key={m.key} data-key={m.key}>
                <td>{m.name}</td>
                <td>{lineName.get(m.line) ?? m.line}</td>
                <td className="num">{pct(m.kpis.oee)}</td>
                <td className="num">{pct(m.kpis.availability)}</td>
                <td className="num">{pct(m.kpis.performance)}</td>
                <td className="num">{pct(m.kpis.quality)}</td>
                <td className="num">{int(m.elements.good)}</td>
                <td className="num">{int(m.elements.reject)}</td>
                <td className="num">{m.stops}</td>
                <td className="num">{m.microStops}</td>
                <td className="num">{dur(m.kpis.mtbfS)}</td>
                <td className="num">{dur(m.kpis.mttrS)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      {r.alerts ? (
        <section>
          <h2>
            Maintenance alerts · <span data-testid="report-alerts-opened">{r.alerts.opened}</span> opened,{" "}
            <span data-testid="report-alerts-closed">{r.alerts.closed}</span> closed
          </h2>
          {r.alerts.list.length === 0 ? (
            <p className="muted">No alert opened or closed in this period.</p>
          ) : (
            <table className={css.table} data-testid="report-alerts">
              <thead>
                <tr>
                  <th>Machine</th>
                  <th>Severity</th>
                  <th>What</th>
                  <th>Opened</th>
                  <th>Closed</th>
                  <th>Status</th>
                </tr>
              </thead>
              <tbody>
                {r.alerts.list.map((a) => (
                  <tr key={a.id}>
                    <td>{machineName(a.machineKey)}</td>
                    <td>{a.severity.toLowerCase()}</td>
                    <td>{a.explanation}</td>
                    <td className="num">{when(a.onsetAt, tz)}</td>
                    <td className="num">{when(a.resolvedAt ?? a.clearedAt, tz)}</td>
                    <td>{a.status.toLowerCase()}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      ) : null}

      {r.commands ? (
        <section>
          <h2>
            Commands sent · <span data-testid="report-commands-total">{r.commands.total}</span>
            {r.commands.total > 0 ? (
              <small>
                {" "}
                (
                {Object.entries(r.commands.byStatus)
                  .map(([s, n]) => `${n} ${s.toLowerCase()}`)
                  .join(", ")}
                )
              </small>
            ) : null}
          </h2>
          {r.commands.list.length === 0 ? (
            <p className="muted">No command sent to a machine of this site in this period.</p>
          ) : (
            <table className={css.table} data-testid="report-commands">
              <thead>
                <tr>
                  <th>Requested</th>
                  <th>Machine</th>
                  <th>Command</th>
                  <th>By</th>
                  <th>Status</th>
                </tr>
              </thead>
              <tbody>
                {r.commands.list.map((c) => (
                  <tr key={c.id}>
                    <td className="num">{when(c.createdAt, tz)}</td>
                    <td>{machineName(c.machineKey)}</td>
                    <td>{c.type}</td>
                    <td>{c.requestedBy}</td>
                    <td>
                      {c.status.toLowerCase()}
                      {c.reason ? `: ${c.reason}` : ""}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      ) : null}
    </article>
  );
}
