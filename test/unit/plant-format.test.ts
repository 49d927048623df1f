// The plant board's tile text: a machine's time in its state. After the shift (a first start on a
// Sunday shows Friday's last shift) it is what it was when the shift ended, not hours counted on to now.
import { describe, expect, it } from "vitest";
import { sinceText } from "../../app/components/plant-format.ts";

const H = 3_600_000;
const end = Date.parse("2026-12-06T05:00:00Z"); // 23:00 in Monterrey

describe("sinceText", () => {
  it("counts to now while the shift runs", () => {
    expect(sinceText({ now: end - H, shift: { end, current: true } }, end - 2 * H, "America/Monterrey")).toBe("since 21:00 (1 h 0 min)");
  });
  it("counts to the shift's end once it is over", () => {
    expect(sinceText({ now: end + 6 * H, shift: { end, current: false } }, end - 29 * 60_000, "America/Monterrey")).toBe(
      "since 22:31 (29 min when the shift ended)",
    );
  });
  it("counts to now for a state pushed after the shift ended", () => {
    expect(sinceText({ now: end + H, shift: { end, current: false } }, end + 30 * 60_000, "America/Monterrey")).toBe("since 23:30 (30 min)");
  });
  it("names the day of a state that began on another day", () => {
    // a line without a weekend shift, seen on Sunday morning: stopped since Friday night
    const friday = Date.parse("2026-12-04T17:30:00Z"); // 23:00 on Friday in Kolkata
    const sunday = Date.parse("2026-12-05T23:50:00Z"); // 05:20 on Sunday
    expect(sinceText({ now: sunday, shift: { end: sunday + H, current: true } }, friday, "Asia/Kolkata")).toBe("since Fri 4 Dec 23:00 (30 h 20 min)");
    expect(sinceText({ now: sunday, shift: { end: friday + 2 * H, current: false } }, friday - 14 * H, "Asia/Kolkata")).toBe(
      "since Fri 4 Dec 09:00 (16 h 0 min when the shift ended)",
    );
    // across midnight but not long ago, the clock time is enough
    expect(sinceText({ now: friday + 2 * H, shift: { end: friday + 3 * H, current: true } }, friday, "Asia/Kolkata")).toBe("since 23:00 (2 h 0 min)");
  });
});
