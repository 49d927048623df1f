// One valid example message per telemetry channel, for the "Connect a machine" guide: the JSON a
// device sends, with the timestamp left to the caller (a literal, or a shell expression). Pure; a test
// parses every example with the contract (test/unit/connect.test.ts).
import type { TelemetryChannel } from "./topics.ts";

const EXAMPLES: Record<TelemetryChannel, { what: string; fields: string }> = {
  state: { what: "the machine's state whenever it changes (a name or a PackML/UMH code; a reason if the machine knows it)", fields: '"state":"running"' },
  counts: {
    what: "produced and rejected parts: a running counter (cumulative) or the parts since the last message (delta)",
    fields: '"mode":"delta","total":12,"reject":1',
  },
  vibration: {
    what: "vibration features of a sensor (velocity RMS in mm/s per ISO 10816, acceleration, crest factor, kurtosis, temperature, speed)",
    fields: '"sensor":"de-bearing","velocity_rms_mm_s":2.1,"temperature_c":48.5,"speed_rpm":1480',
  },
  waveform: {
    what: "a raw vibration snapshot (16 to 65,536 samples) that Andon analyses itself",
    fields: `"sensor":"de-bearing","sample_rate_hz":1600,"unit":"g","samples":[${Array.from({ length: 16 }, (_, i) => Math.round(Math.sin(i / 2) * 100) / 100).join(",")}]`,
  },
  metrics: { what: "any other process values, named by you", fields: '"metrics":[{"name":"hydraulic.pressure","value":182.5,"unit":"bar"}]' },
};

export const exampleWhat = (channel: TelemetryChannel) => EXAMPLES[channel].what;

/** The example message of `channel` with `tsJson` as the value of `ts` (JSON text: a number or a quoted ISO string). */
export function exampleMessage(channel: TelemetryChannel, tsJson: string): string {
  return `{"v":1,"ts":${tsJson},${EXAMPLES[channel].fields}}`;
}
