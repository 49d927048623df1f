// Axis ticks for a chart of 30 s buckets keyed by ISO time: whole minutes only (a label per bucket
// would print the same HH:MM twice), at most about eight of them. Pure; used in the browser.

const WHOLE_MINUTE = /T\d\d:\d\d:00(\.0+)?Z$/;

/** The ISO times among `rows` to label: every n-th whole minute, n chosen so that at most `max` remain. */
export function minuteTicks(rows: readonly { t: string }[], max = 8): string[] {
  const whole = rows.map((r) => r.t).filter((t) => WHOLE_MINUTE.test(t));
  const every = Math.max(1, Math.ceil(whole.length / max));
  return whole.filter((_, i) => i % every === 0);
}
