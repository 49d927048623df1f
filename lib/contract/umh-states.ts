// The United Manufacturing Hub's machine-state codes and Andon's state for each. UMH codes come in
// categories of 10,000 like Andon's (Andon's named states are UMH's table, lib/domain/oee/mapping.ts),
// so a UMH code is stored as it is; the name is added when the code is one of Andon's named states.
// docs/mqtt.md prints this table; test/unit/umh.test.ts checks the page against it. Pure.
import { STATE_CODES } from "#lib/domain/oee/mapping.ts";

/** The states of UMH's state documentation (umh.docs.umh.app, "States"), by code. */
export const UMH_STATES: readonly { code: number; umh: string }[] = [
  { code: 10000, umh: "ProducingAtFullSpeedState" },
  { code: 20000, umh: "ProducingAtLowerThanFullSpeedState" },
  { code: 30000, umh: "UnknownState" },
  { code: 40000, umh: "UnspecifiedStopState" },
  { code: 50000, umh: "MicrostopState" },
  { code: 60000, umh: "InletJamState" },
  { code: 70000, umh: "OutletJamState" },
  { code: 80000, umh: "CongestionBypassState" },
  { code: 90000, umh: "MaterialIssueOtherState" },
  { code: 100000, umh: "ChangeoverState" },
  { code: 110000, umh: "CleaningState" },
  { code: 120000, umh: "EmptyingState" },
  { code: 130000, umh: "SettingUpState" },
  { code: 140000, umh: "OperatorNotAtMachineState" },
  { code: 150000, umh: "OperatorBreakState" },
  { code: 160000, umh: "NoShiftState" },
  { code: 170000, umh: "NoOrderState" },
  { code: 180000, umh: "EquipmentFailureState" },
  { code: 190000, umh: "ExternalFailureState" },
  { code: 200000, umh: "ExternalInterferenceState" },
  { code: 210000, umh: "PreventiveMaintenanceStop" },
  { code: 220000, umh: "TechnicalOtherStop" },
];

const NAME_OF_CODE = new Map<number, keyof typeof STATE_CODES>(Object.entries(STATE_CODES).map(([n, c]) => [c, n as keyof typeof STATE_CODES]));

/** Andon's named state for a UMH code, when the code is exactly one of them (40123 has none: it is stored as a code). */
export const andonStateOfUmhCode = (code: number): keyof typeof STATE_CODES | undefined => NAME_OF_CODE.get(code);
