// The plant board's window of a site whose lines keep different calendars (lib/features/dashboard/plant-shift.ts):
// the seeded Pune has fill-1 on two shifts Monday to Saturday and fill-2 on three shifts every day.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { machinesOfPlant, readPlantFile } from "#lib/adapters/db/plant.ts";
import { siteShift } from "#lib/features/dashboard/plant-shift.ts";
import { repoRoot } from "#lib/platform/config.ts";

const plant = machinesOfPlant(readPlantFile(join(repoRoot, "prisma", "seed", "demo-plant.json")));
const pune = plant.filter((m) => m.site === "pune");
const dresden = plant.filter((m) => m.site === "dresden");

describe("the plant board's shift of a site", () => {
  it("is the shift running now on any line: Pune's fill-2 night shift on a Sunday night, though fill-1 comes first", () => {
    expect(pune[0]?.line).toBe("fill-1");
    const now = Date.parse("2026-12-06T18:38:00Z"); // Monday 00:08 in Kolkata: fill-1 has no shift until 06:00
    expect(siteShift(pune, now)).toMatchObject({ current: true, start: Date.parse("2026-12-06T16:30:00Z"), end: Date.parse("2026-12-07T00:30:00Z") });
  });
  it("is the first line's when several run (a weekday morning in Pune)", () => {
    const now = Date.parse("2026-12-08T05:00:00Z"); // Tuesday 10:30 in Kolkata
    expect(siteShift(pune, now)).toMatchObject({ current: true, start: Date.parse("2026-12-08T00:30:00Z"), end: Date.parse("2026-12-08T09:00:00Z") });
  });
  it("is the shift that ended last when none runs (Dresden on a Sunday: Saturday's night shift until 06:00)", () => {
    expect(siteShift(dresden, Date.parse("2026-12-06T12:00:00Z"))).toMatchObject({ current: false, end: Date.parse("2026-12-05T05:00:00Z") });
  });
});
