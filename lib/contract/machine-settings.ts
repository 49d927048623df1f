// A machine's settings, one schema for every way they arrive: the admin API and form, and the plant
// file of the seed. The limits are physical (a contact angle above 45° is not a radial/angular-contact
// ball bearing whose defect frequencies the vibration analysis computes). Pure: no I/O.
import { z } from "zod";

const positive = (max: number, what: string) => z.number().positive(`${what} must be positive`).max(max, `${what} must be at most ${max}`);

/** Each setting's own rule; the bearing and speed settings are optional (the spectrum features need them). */
export const MACHINE_SETTING = {
  name: z.string().trim().min(1, "a name is needed").max(100),
  idealCycleTimeS: positive(86_400, "the ideal cycle time (seconds per unit)"),
  vibrationGroup: z.enum(["GROUP_1", "GROUP_2"]),
  foundation: z.enum(["RIGID", "FLEXIBLE"]),
  nominalSpeedRpm: positive(100_000, "the speed"),
  bearingRollingElements: z.number().int().min(3, "a bearing has at least 3 rolling elements").max(100),
  bearingBallDiameterMm: positive(1000, "the ball diameter"),
  bearingPitchDiameterMm: positive(5000, "the pitch diameter"),
  bearingContactAngleDeg: z.number().min(0, "the contact angle is 0° to 45°").max(45, "the contact angle is 0° to 45°"),
  hasWaveformSensor: z.boolean(),
} as const;

const OPTIONAL = ["nominalSpeedRpm", "bearingRollingElements", "bearingBallDiameterMm", "bearingPitchDiameterMm", "bearingContactAngleDeg"] as const;
export type OptionalSetting = (typeof OPTIONAL)[number];

/** The settings as the admin API takes and returns them: an optional setting not known is null. */
export const MachineSettingsSchema = z.object({
  ...MACHINE_SETTING,
  nominalSpeedRpm: MACHINE_SETTING.nominalSpeedRpm.nullable(),
  bearingRollingElements: MACHINE_SETTING.bearingRollingElements.nullable(),
  bearingBallDiameterMm: MACHINE_SETTING.bearingBallDiameterMm.nullable(),
  bearingPitchDiameterMm: MACHINE_SETTING.bearingPitchDiameterMm.nullable(),
  bearingContactAngleDeg: MACHINE_SETTING.bearingContactAngleDeg.nullable(),
});
export type MachineSettings = z.infer<typeof MachineSettingsSchema>;
export type VibrationGroup = MachineSettings["vibrationGroup"];
export type Foundation = MachineSettings["foundation"];

export const MACHINE_SETTING_KEYS = Object.keys(MACHINE_SETTING) as (keyof MachineSettings)[];

/** The settings in a plant file (the seed): optional settings may be left out, the rest defaulted. */
export const PlantMachineSettingsSchema = z.object({
  name: MACHINE_SETTING.name,
  idealCycleTimeS: MACHINE_SETTING.idealCycleTimeS,
  vibrationGroup: MACHINE_SETTING.vibrationGroup.default("GROUP_2"),
  foundation: MACHINE_SETTING.foundation.default("RIGID"),
  nominalSpeedRpm: MACHINE_SETTING.nominalSpeedRpm.optional(),
  bearingRollingElements: MACHINE_SETTING.bearingRollingElements.optional(),
  bearingBallDiameterMm: MACHINE_SETTING.bearingBallDiameterMm.optional(),
  bearingPitchDiameterMm: MACHINE_SETTING.bearingPitchDiameterMm.optional(),
  bearingContactAngleDeg: MACHINE_SETTING.bearingContactAngleDeg.optional(),
  hasWaveformSensor: MACHINE_SETTING.hasWaveformSensor.default(false),
});
