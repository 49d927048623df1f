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
});
