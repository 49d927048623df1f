// Device event timestamps of the MQTT contract (docs/mqtt.md). Pure.

/** Epoch microseconds (what QuestDB stores as TIMESTAMP). */
export type EpochMicros = number & { readonly __brand: "EpochMicros" };

const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/** ISO 8601 with an explicit offset (µs precision kept) or integer epoch milliseconds → epoch µs. */
export function parseTimestamp(v: unknown): EpochMicros | string {
  if (typeof v === "number") {
    if (!Number.isInteger(v) || v < 0) return "ts as a number must be integer epoch milliseconds";
    return (v * 1000) as EpochMicros;
  }
  if (typeof v !== "string") return "ts must be an ISO 8601 string with offset or epoch milliseconds";
  const m = ISO.exec(v);
  if (!m) return `ts "${v}" is not ISO 8601 with an offset (e.g. 2026-11-25T08:00:00.123Z)`;
  const [y, mo, d, h, mi, sec] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number, number];
  const wall = Date.UTC(y, mo - 1, d, h, mi, sec);
  const check = new Date(wall);
  // Date.UTC rolls 2026-02-30 over to March; a real calendar date reads back the same.
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59 || sec > 59) {
    return `ts "${v}" is not a valid date`;
  }
  const zone = m[8] ?? "Z";
  const offsetMin = zone === "Z" ? 0 : (zone[0] === "-" ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  const ms = wall - offsetMin * 60_000;
  const micros = Number(`${m[7] ?? ""}000000`.slice(0, 6));
  return (ms * 1000 + micros) as EpochMicros;
}
