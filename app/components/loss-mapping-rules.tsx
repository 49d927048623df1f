"use client";

// The rules of a draft loss-mapping version as a table to edit: what a rule matches (state, exact
// code, code category, reason) and the loss it counts as; each field with its message.
import { STATE_CODES } from "#lib/domain/oee/mapping.ts";
import { LOSS_CATEGORIES } from "#lib/domain/oee/types.ts";
import { FieldError, type FieldErrors } from "./admin-form.tsx";
import type { RuleRow } from "./loss-mapping-types.ts";

const STATES = Object.keys(STATE_CODES);

export function RulesTable({ rows, errors, onChange }: { rows: RuleRow[]; errors: FieldErrors; onChange: (rows: RuleRow[]) => void }) {
  const set = (i: number, patch: Partial<RuleRow>) => onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <>
      <table className="reasons rules">
        <thead>
          <tr>
            <th>state</th>
            <th>exact code</th>
            <th>code category</th>
            <th>reason</th>
            <th>loss</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => {
            const n = i + 1;
            const bad = Object.keys(errors).some((k) => k.startsWith(`rules.${i}.`));
            return (
              // biome-ignore lint/suspicious/noArrayIndexKey: rules have no identity until saved
              <tr key={i} className={bad ? "invalid" : ""}>
                <td>
                  <select value={r.state} onChange={(e) => set(i, { state: e.target.value })} aria-label={`rule ${n} state`}>
                    <option value="">any</option>
                    {STATES.map((s) => (
                      <option key={s} value={s}>
                        {s}
                      </option>
                    ))}
                  </select>
                  <FieldError errors={errors} name={`rules.${i}.state`} />
                </td>
                <td>
                  <input type="number" value={r.code} onChange={(e) => set(i, { code: e.target.value })} aria-label={`rule ${n} code`} />
                  <FieldError errors={errors} name={`rules.${i}.code`} />
                </td>
                <td>
                  <input
                    type="number"
                    step={10000}
                    value={r.category}
                    onChange={(e) => set(i, { category: e.target.value })}
                    aria-label={`rule ${n} category`}
                  />
                  <FieldError errors={errors} name={`rules.${i}.category`} />
                </td>
                <td>
                  <input value={r.reason} onChange={(e) => set(i, { reason: e.target.value })} aria-label={`rule ${n} reason`} />
                  <FieldError errors={errors} name={`rules.${i}.reason`} />
                </td>
                <td>
                  <select value={r.loss} onChange={(e) => set(i, { loss: e.target.value })} aria-label={`rule ${n} loss`}>
                    {LOSS_CATEGORIES.map((l) => (
                      <option key={l} value={l}>
                        {l}
                      </option>
                    ))}
                  </select>
                  <FieldError errors={errors} name={`rules.${i}.loss`} />
                </td>
                <td>
                  <button type="button" className="link-button" onClick={() => onChange(rows.filter((_r, j) => j !== i))} aria-label={`remove rule ${n}`}>
                    remove
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <FieldError errors={errors} name="rules" />
      <button
        type="button"
        className="link-button"
        onClick={() => onChange([...rows, { state: "", code: "", category: "", reason: "", loss: "UNPLANNED_STOP" }])}
      >
        + add a rule
      </button>
    </>
  );
}
