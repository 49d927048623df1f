"use client";

// One saved loss-mapping version, read-only (a change is a new version): what changed from the one
// before, its rules and the machines that have it as their own.
import { describeRule, type MappingDiff } from "#lib/domain/oee/loss-mapping-draft.ts";
import type { Version } from "./loss-mapping-types.ts";

export function DiffList({ diff, against }: { diff: MappingDiff; against: string }) {
  const none = diff.settings.length + diff.added.length + diff.removed.length + diff.changed.length === 0;
  return (
    <div className="small" data-testid="diff">
      <b>Changes from {against}:</b> {none ? <span className="muted">none</span> : null}
      <ul>
        {diff.settings.map((s) => (
          <li key={s.field} className="diff-changed">
            {s.field === "microStopThresholdS" ? "micro-stop threshold" : "startup window"}: {s.from} s → {s.to} s
          </li>
        ))}
        {diff.changed.map((c) => (
          <li key={c.rule} className="diff-changed">
            {c.rule}: {c.from} → {c.to}
          </li>
        ))}
        {diff.added.map((c) => (
          <li key={c.rule} className="diff-added">
            + {c.rule} → {c.loss}
          </li>
        ))}
        {diff.removed.map((c) => (
          <li key={c.rule} className="diff-removed">
            − {c.rule} → {c.loss}
          </li>
        ))}
      </ul>
    </div>
  );
}

export function VersionView({ version }: { version: Version }) {
  return (
    <div data-testid={`rules-${version.label}`}>
      <h4>
        {version.label} <span className="muted small">(read-only: a change is a new version)</span>
      </h4>
      {version.diff ? <DiffList diff={version.diff} against={`v${version.diff.from}`} /> : <div className="small muted">The first version.</div>}
      <table className="reasons">
        <thead>
          <tr>
            <th>matches</th>
            <th>loss</th>
          </tr>
        </thead>
        <tbody>
          {version.rules.map((r) => (
            <tr key={describeRule(r)}>
              <td>{describeRule(r)}</td>
              <td>{r.loss}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="small muted">
        Most specific wins: a rule with a reason, then an exact state or code, then a category (multiples of 10000). A state no rule matches is an unplanned
        stop.
      </div>
      {version.machines.length ? (
        <details className="small muted">
          <summary>
            {version.machines.length} machine{version.machines.length === 1 ? "" : "s"} on this version
          </summary>
          <ul className="machine-list">
            {version.machines.map((m) => (
              <li key={m}>{m}</li>
            ))}
          </ul>
        </details>
      ) : (
        <div className="small muted">No machine has this version as its own.</div>
      )}
    </div>
  );
}
