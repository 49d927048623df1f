// Where the cores went during a measured phase of a bench (Linux /proc): CPU time of the given
// processes, of this one (the bench's own clients), and of the whole machine (everything else is the
// database, the kernel and whatever else runs), per unit of work, in milliseconds.
import { cpuSeconds, machineCpuSeconds } from "#lib/features/stack/process.ts";

export type CpuShares<K extends string> = Record<K | "clients" | "machine", number>;

/** Starts measuring now; `perUnit(n)` gives the CPU ms used since, divided by n. */
export function cpuMeter<K extends string>(pids: Record<K, number | undefined>): { perUnit(n: number): CpuShares<K> } {
  const at = (): Record<string, number> => {
    const self = process.cpuUsage();
    const out: Record<string, number> = { clients: (self.user + self.system) / 1000, machine: machineCpuSeconds() * 1000 };
    for (const [k, pid] of Object.entries<number | undefined>(pids)) out[k] = cpuSeconds(pid ?? 0) * 1000;
    return out;
  };
  const start = at();
  return {
    perUnit(n) {
      const now = at();
      return Object.fromEntries(Object.keys(start).map((k) => [k, ((now[k] ?? 0) - (start[k] ?? 0)) / n])) as CpuShares<K>;
    },
  };
}
