import type { OeeProgress } from "#lib/features/dashboard/ingest-status.ts";

// The scheduled roll-up runs every minute (minutes) or every 5 minutes (hours, shifts, days) and looks
// back a few minutes: up to this far behind is normal; more means it is catching up after downtime.
const NORMAL_BEHIND_S: Record<string, number> = { minute: 3 * 60, hour: 11 * 60, shift: 11 * 60, day: 11 * 60 };

function span(s: number): string {
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86_400).toFixed(1)} days`;
}

/** How far each granularity's OEE roll-up got: after an OEE worker outage, the catch-up's progress. */
export function OeeRollupProgress({ rows }: { rows: OeeProgress[] }) {
  const behind = rows.filter((r) => r.behindS > (NORMAL_BEHIND_S[r.granularity] ?? 660));
  return (
    <div className="card" style={{ marginTop: 16 }} data-testid="oee-rollup">
      <h2>
        OEE roll-up{" "}
        <small>
          {rows.length === 0
            ? "not run yet"
            : behind.length
              ? `catching up: ${behind.map((r) => `${r.granularity} ${span(r.behindS)} behind`).join(", ")}`
              : "up to date"}
        </small>
      </h2>
      {rows.length === 0 ? (
        <p className="muted" style={{ fontSize: 13 }}>
          The OEE worker has not computed a bucket yet (it runs every minute under andon up).
        </p>
      ) : (
        <table className="dl">
          <thead>
            <tr>
              <th>granularity</th>
              <th>every closed bucket computed up to (UTC)</th>
              <th>behind</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.granularity} className={behind.includes(r) ? "bad" : undefined} data-testid={`oee-rollup-${r.granularity}`}>
                <td>{r.granularity}</td>
                <td>{r.computedUntil.slice(0, 19).replace("T", " ")}</td>
                <td>{span(r.behindS)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
