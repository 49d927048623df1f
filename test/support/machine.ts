// A machine of the asset model for tests that drive the simulator or the detectors without a
// database: Dresden's line-1, running every day; its path and key always agree with its slug.
import type { MachineInfo } from "#lib/adapters/db/plant.ts";
import { machineKey } from "#lib/contract/identity.ts";

type Settings = Omit<MachineInfo, "enterprise" | "site" | "area" | "line" | "path" | "key" | "shifts" | "timeZone"> & Partial<Pick<MachineInfo, "shifts">>;

export function testMachine(s: Settings): MachineInfo {
  const path = { enterprise: "acme", site: "dresden", area: "machining", line: "line-1", machine: s.slug };
  return {
    enterprise: path.enterprise,
    site: path.site,
    area: path.area,
    line: path.line,
    path,
    key: machineKey(path),
    timeZone: "Europe/Berlin",
    shifts: [{ name: "all", weekdays: [1, 2, 3, 4, 5, 6, 7], start: "00:00", end: "00:00", breaks: [] }],
    ...s,
  };
}
