// The NAB corpus as published (../shared/datasets/nab): data files, label windows as row ranges, and
// the per-row scores other detectors published (nab/published/<detector>/<category>/<detector>_<file>.gz).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import type { NabFile } from "#lib/domain/pdm/nab.ts";

export interface NabSeries {
  /** e.g. realKnownCause/machine_temperature_system_failure.csv */
  name: string;
  file: NabFile;
  /** Epoch ms per row. */
  ts: number[];
  values: number[];
}

export const utc = (s: string) =>
  Date.parse(
    `${s
      .trim()
      .replace(" ", "T")
      .replace(/\.\d+$/, "")}Z`,
  );

/** Every labelled file of the corpus, sorted by name. */
export function loadNabCorpus(dir: string): NabSeries[] {
  const windows = JSON.parse(readFileSync(join(dir, "labels", "combined_windows.json"), "utf8")) as Record<string, [string, string][]>;
  return Object.keys(windows)
    .sort()
    .map((name) => {
      const lines = readFileSync(join(dir, "data", name), "utf8")
        .trim()
        .split(/\r?\n/)
        .slice(1);
      const ts = lines.map((l) => utc(l.slice(0, l.indexOf(","))));
      const values = lines.map((l) => Number(l.slice(l.indexOf(",") + 1)));
      const file: NabFile = {
        rows: lines.length,
        windows: (windows[name] ?? []).map(([a, b]) => ({ left: ts.findIndex((t) => t >= utc(a)), right: ts.findLastIndex((t) => t <= utc(b)) })),
      };
      return { name, file, ts, values };
    });
}

/**
 * Per-row anomaly scores of one detector for every file of the corpus, from a folder laid out as NAB's
 * results (`<category>/<detector>_<file>.csv[.gz]` with an `anomaly_score` column, or a single
 * column of scores). Throws naming the file when one is missing or has the wrong number of rows.
 */
export function loadNabScores(scoresDir: string, corpus: readonly NabSeries[]): Map<string, Float64Array> {
  const detector = scoresDir.replace(/\/+$/, "").split("/").pop() ?? "";
  const out = new Map<string, Float64Array>();
  for (const s of corpus) {
    const [category, base] = s.name.split("/") as [string, string];
    const candidates = [`${detector}_${base}`, base].flatMap((b) => [join(scoresDir, category, `${b}.gz`), join(scoresDir, category, b)]);
    const path = candidates.find((p) => existsSync(p));
    if (!path) throw new Error(`no scores for ${s.name} in ${scoresDir} (looked for ${candidates.map((c) => c.slice(scoresDir.length + 1)).join(", ")})`);
    const raw = readFileSync(path);
    const text = (path.endsWith(".gz") ? gunzipSync(raw) : raw).toString("utf8").trim();
    const [head, ...rows] = text.split(/\r?\n/);
    const cols = (head ?? "").split(",");
    const col = cols.indexOf("anomaly_score");
    if (col < 0 && cols.length !== 1) throw new Error(`${path}: no anomaly_score column`);
    const scores = Float64Array.from(rows, (r) => Number(col < 0 ? r : r.split(",")[col]));
    if (scores.length !== s.file.rows) throw new Error(`${path}: ${scores.length} scores for ${s.file.rows} rows of ${s.name}`);
    out.set(s.name, scores);
  }
  return out;
}

/** NAB's chosen thresholds of a detector (published/thresholds.json), when the folder beside it has them. */
export function publishedThresholds(scoresDir: string): Record<string, number> | undefined {
  const detector = scoresDir.replace(/\/+$/, "").split("/").pop() ?? "";
  const f = join(scoresDir, "..", "thresholds.json");
  if (!existsSync(f)) return undefined;
  const all = JSON.parse(readFileSync(f, "utf8")) as Record<string, Record<string, { threshold: number }>>;
  const t = all[detector];
  return t ? Object.fromEntries(Object.entries(t).map(([p, v]) => [p, v.threshold])) : undefined;
}
