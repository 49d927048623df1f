import { NextResponse } from "next/server";
import { processesView } from "#lib/features/dashboard/process-status.ts";

export const dynamic = "force-dynamic";

// Public: for load balancers and `andon up`. "degraded" while a process of the stack is restarting or
// crash-looping; each process with its state and why it last died (bounded text from its own log).
export function GET() {
  const p = processesView();
  return NextResponse.json({
    status: p.degraded ? "degraded" : "ok",
    time: new Date().toISOString(),
    ...(p.supervised
      ? {
          processes: p.processes.map((x) => ({
            name: x.name,
            state: x.state,
            restarts: x.restarts,
            ...(x.lastExit ? { lastExit: { at: x.lastExit.at, code: x.lastExit.code, signal: x.lastExit.signal, error: x.lastExit.error } } : {}),
          })),
        }
      : {}),
  });
}
