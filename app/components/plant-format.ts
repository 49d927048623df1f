// How the plant board writes figures and times: percentages, local clock times of the site, durations.
export const pct = (v: number | null | undefined) => (v === null || v === undefined ? "—" : `${(v * 100).toFixed(1)} %`);

/** A loss that stops the machine (a reason can be given to it). */
export const isStop = (loss: string) => loss !== "PRODUCTIVE" && loss !== "REDUCED_SPEED";

export function fmt(ms: number, timeZone: string, seconds = false): string {
  return new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", ...(seconds ? { second: "2-digit" } : {}) }).format(new Date(ms));
}

export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60 ? `${s % 60} s` : ""}`.trim();
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/**
 * Since when a machine is in its state: on the board of a shift that is over, as it was when the shift
 * ended (not counted on to now, when the machine is off shift).
 */
export function sinceText(view: { now: number; shift: { end: number; current: boolean } }, since: number, timeZone: string): string {
  const live = view.shift.current || since >= view.shift.end;
  const to = live ? view.now : view.shift.end;
  // the day is named against now: a past shift's board read days later says which day its times were
  const at = clockOrDay(since, view.now, timeZone);
  return live ? `since ${at} (${duration(to - since)})` : `since ${at} (${duration(to - since)} when the shift ended)`;
}

/**
 * A local clock time, with its day when it is half a day or more before `to` on another day (a clock
 * time alone reads as today's: "since 23:00" on Sunday morning for a line stopped since Friday night).
 */
export function clockOrDay(ms: number, to: number, timeZone: string): string {
  return to - ms < 12 * 3_600_000 || sameLocalDay(ms, to, timeZone) ? fmt(ms, timeZone) : fmtDay(ms, timeZone);
}

/** e.g. "Fri 4 Dec 23:00" (built from its parts: the same text whatever the ICU version puts between them). */
export function fmtDay(ms: number, timeZone: string): string {
  const f = new Intl.DateTimeFormat("en-GB", {
    timeZone,
    weekday: "short",
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  });
  const parts = f.formatToParts(new Date(ms));
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? "";
  return `${part("weekday")} ${part("day")} ${part("month")} ${part("hour")}:${part("minute")}`;
}

const sameLocalDay = (a: number, b: number, timeZone: string) => {
  const day = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" });
  return day.format(new Date(a)) === day.format(new Date(b));
};
