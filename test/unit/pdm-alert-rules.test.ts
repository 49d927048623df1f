// The rules of maintenance alerts (lib/domain/pdm/alert-rules.ts): which signal a zone or a drift
// raises and what it says, escalation and reopening, the flap and quiet windows, and which changes
// people may make in which status.
import { describe, expect, it } from "vitest";
import {
  type AlertSignal,
  acknowledgeRefusal,
  assignRefusal,
  driftSignal,
  episodeSignals,
  escalates,
  FLAP_WINDOW_MS,
  flapSince,
  QUIET_MS,
  quietBefore,
  reopenedSeverity,
  resolveRefusal,
  SUGGESTED_ACTIONS,
  siteRefusal,
  zoneSignal,
} from "#lib/domain/pdm/alert-rules.ts";

const key = "acme/dresden/machining/line-1/cnc-01";
const group2Rigid = { vibrationGroup: "GROUP_2", foundation: "RIGID" } as const; // A/B 1.4, B/C 2.8, C/D 4.5

describe("zone signal (ISO 10816-3)", () => {
  it("raises nothing in zones A and B", () => {
    expect(zoneSignal(key, group2Rigid, { v: 1.0, ts: 1 })).toBeUndefined();
    expect(zoneSignal(key, group2Rigid, { v: 2.79, ts: 1 })).toBeUndefined();
  });

  it("warns in zone C, with the A/B boundary as the baseline when none was learned", () => {
    expect(zoneSignal(key, group2Rigid, { v: 3.2, ts: 1000 })).toEqual({
      machineKey: key,
      feature: "velocity_rms_mm_s",
      cause: "zone:velocity_rms_mm_s",
      severity: "WARNING",
      value: 3.2,
      baseline: 1.4,
      zone: "C",
      explanation: "velocity RMS 3.20 mm/s is in ISO 10816-3 zone C (group 2, rigid: B/C 2.8, C/D 4.5 mm/s)",
      suggestedAction: "restricted operation: plan the repair",
      detectorVersion: "iso10816-3",
      at: 1000,
    });
  });

  it("is critical in zone D (a boundary belongs to the higher zone), with the learned baseline", () => {
    const s = zoneSignal(key, { vibrationGroup: "GROUP_1", foundation: "FLEXIBLE" }, { v: 11.0, ts: 5 }, 2.1);
    expect(s).toMatchObject({ severity: "CRITICAL", zone: "D", baseline: 2.1, at: 5 });
    expect(s?.explanation).toBe("velocity RMS 11.00 mm/s is in ISO 10816-3 zone D (group 1, flexible: B/C 7.1, C/D 11 mm/s)");
    expect(s?.suggestedAction).toBe("vibration can damage the machine: stop it when possible and inspect");
  });
});

describe("drift signal", () => {
  const state = { median: 1.0512, z: 7.25, ewma: 4.123 };

  it("from a vibration message: cause drift:<feature>, three decimals, the zone of a velocity", () => {
    const s = driftSignal("features", key, group2Rigid, { feature: "velocity_rms_mm_s", value: 5, state, detectorVersion: "robust-ewma@v4", at: 9 });
    expect(s).toEqual({
      machineKey: key,
      feature: "velocity_rms_mm_s",
      cause: "drift:velocity_rms_mm_s",
      severity: "WARNING",
      value: 5,
      baseline: 1.0512,
      zone: "D",
      explanation: "velocity_rms_mm_s 5.000 against a baseline of 1.051 learned while running (robust z 7.3, EWMA 4.12)",
      suggestedAction: "check balance, alignment and mounting; plan a bearing inspection",
      detectorVersion: "robust-ewma@v4",
      at: 9,
    });
  });

  it("from waveform snapshots: cause drift:waveform/<feature>, three significant digits, no zone off velocity", () => {
    const s = driftSignal("waveform", key, group2Rigid, {
      feature: "envelope_bpfo_g",
      value: 0.012345,
      state: { median: 0.0011, z: 12, ewma: 9.5 },
      detectorVersion: "robust-ewma-envelope@v1",
      at: 3,
    });
    expect(s.cause).toBe("drift:waveform/envelope_bpfo_g");
    expect(s).not.toHaveProperty("zone");
    expect(s.explanation).toBe(
      "envelope_bpfo_g 0.0123 (from waveform snapshots) against a baseline of 0.00110 learned while running (robust z 12.0, EWMA 9.50)",
    );
    expect(s.suggestedAction).toContain("BPFO");
  });

  it("has a suggested action for every watched feature", () => {
    for (const action of Object.values(SUGGESTED_ACTIONS)) expect(action.length).toBeGreaterThan(10);
  });
});

describe("lifecycle", () => {
  it("escalates only to a higher severity; a reopened alert keeps the higher one", () => {
    expect(escalates("WARNING", "CRITICAL")).toBe(true);
    expect(escalates("CRITICAL", "CRITICAL")).toBe(false);
    expect(escalates("CRITICAL", "WARNING")).toBe(false);
    expect(reopenedSeverity("CRITICAL", "WARNING")).toBe("CRITICAL");
    expect(reopenedSeverity("WARNING", "CRITICAL")).toBe("CRITICAL");
  });

  it("reopens within 10 minutes of clearing and clears after 30 quiet minutes (by default)", () => {
    expect(FLAP_WINDOW_MS).toBe(600_000);
    expect(QUIET_MS).toBe(1_800_000);
    expect(flapSince(1_000_000)).toBe(400_000);
    expect(flapSince(1_000_000, 60_000)).toBe(940_000);
    expect(quietBefore(2_000_000)).toBe(200_000);
    expect(quietBefore(2_000_000, 1_000)).toBe(1_999_000);
  });
});

describe("people's changes", () => {
  it("only on the sites they may act on", () => {
    expect(siteRefusal({ name: "admin", sites: "all" }, "acme/dresden")).toBeUndefined();
    expect(siteRefusal({ name: "tech", sites: ["acme/dresden"] }, "acme/dresden")).toBeUndefined();
    expect(siteRefusal({ name: "tech.pune", sites: ["acme/pune"] }, "acme/dresden")).toEqual({
      code: "forbidden",
      message: "tech.pune may not act on site acme/dresden",
    });
  });

  it("acknowledge an open alert only", () => {
    expect(acknowledgeRefusal("OPEN")).toBeUndefined();
    expect(acknowledgeRefusal("ACKNOWLEDGED")).toEqual({ code: "conflict", message: "the alert is acknowledged, not open" });
  });

  it("assign an active alert only", () => {
    expect(assignRefusal("OPEN")).toBeUndefined();
    expect(assignRefusal("ACKNOWLEDGED")).toBeUndefined();
    expect(assignRefusal("CLEARED")).toEqual({ code: "conflict", message: "the alert is cleared" });
    expect(assignRefusal("RESOLVED")).toEqual({ code: "conflict", message: "the alert is resolved" });
  });

  it("resolve once, saying what was found and done", () => {
    expect(resolveRefusal("ACKNOWLEDGED", "bearing replaced")).toBeUndefined();
    expect(resolveRefusal("CLEARED", "bearing replaced")).toBeUndefined();
    expect(resolveRefusal("RESOLVED", "again")).toEqual({ code: "conflict", message: "the alert is resolved already" });
    expect(resolveRefusal("OPEN", "  ")).toEqual({ code: "invalid", message: "body.note: say what was found and done" });
  });
});

describe("episodeSignals: a long read's stretches reduced to onsets, escalations and last sightings", () => {
  const sig = (cause: string, at: number, severity: "WARNING" | "CRITICAL" = "WARNING"): AlertSignal => ({
    machineKey: "m",
    feature: cause,
    cause,
    severity,
    value: at,
    explanation: "",
    suggestedAction: "",
    detectorVersion: "t",
    at,
  });
  it("keeps the first and last of an episode, a change of severity, and a new episode after a gap", () => {
    const stretches = [[sig("a", 1)], [sig("a", 2), sig("b", 2)], [sig("a", 3), sig("b", 3, "CRITICAL")], [sig("a", 4)], [], [sig("a", 6)]];
    expect(episodeSignals(stretches).map((s) => `${s.cause}${s.at}${s.severity === "CRITICAL" ? "!" : ""}`)).toEqual(["a1", "b2", "b3!", "a4", "a6"]);
  });
  it("a single stretch (a live scan) is passed on as it is", () => {
    const live = [sig("a", 5), sig("b", 5)];
    expect(episodeSignals([live])).toEqual(live);
  });
});
