// What `andon up`'s supervisor says about the processes it runs (lib/features/stack/supervisor.ts), for the
// ingest page and /api/health. Read from its status file at most once a second.

import { type ProcessStatus, processStatusFile, readProcessStatus } from "#lib/features/stack/supervisor.ts";
import { config } from "#lib/platform/config.ts";

export interface ProcessesView {
  /** false when no supervisor runs this stack (workers started another way: nothing is known here). */
  supervised: boolean;
  processes: ProcessStatus[];
  /** Any process restarting or crash-looping. */
  degraded: boolean;
}

let cached: { at: number; view: ProcessesView } | undefined;

function alive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function processesView(now = Date.now()): ProcessesView {
  if (cached && now - cached.at < 1000) return cached.view;
  const file = readProcessStatus(processStatusFile(config().ANDON_HOME));
  const supervised = !!file && alive(file.supervisorPid);
  const processes = supervised ? (file?.processes ?? []) : [];
  const view = { supervised, processes, degraded: processes.some((p) => p.state === "restarting" || p.state === "crash-looping") };
  cached = { at: now, view };
  return view;
}
