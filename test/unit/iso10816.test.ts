// ISO 10816-3 zone boundaries, against the table in the brief (domain.md).
import { describe, expect, it } from "vitest";
import { ZONE_LIMITS, zoneOf } from "#lib/domain/vibration/iso10816.ts";

describe("ISO 10816-3 zones", () => {
  it("has the published boundaries", () => {
    expect(ZONE_LIMITS).toEqual({
      GROUP_1: { RIGID: [2.3, 4.5, 7.1], FLEXIBLE: [3.5, 7.1, 11.0] },
      GROUP_2: { RIGID: [1.4, 2.8, 4.5], FLEXIBLE: [2.3, 4.5, 7.1] },
    });
  });
  it("puts a value on a boundary in the higher zone", () => {
    expect(zoneOf(1.39, "GROUP_2", "RIGID")).toBe("A");
    expect(zoneOf(1.4, "GROUP_2", "RIGID")).toBe("B");
    expect(zoneOf(2.8, "GROUP_2", "RIGID")).toBe("C");
    expect(zoneOf(4.5, "GROUP_2", "RIGID")).toBe("D");
    expect(zoneOf(4.5, "GROUP_2", "FLEXIBLE")).toBe("C");
    expect(zoneOf(10.9, "GROUP_1", "FLEXIBLE")).toBe("C");
    expect(zoneOf(11, "GROUP_1", "FLEXIBLE")).toBe("D");
  });
});
