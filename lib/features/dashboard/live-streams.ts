// What the plant page's and the machine page's live streams send (on ./event-stream.ts):
// - a site's board: `state` (a machine's new state, the moment the web process receives it over
//   MQTT; before the ingest has stored it) and `view` (the whole board as GET .../shift answers it,
//   every `viewEveryMs`, from the site's shared view: one computation per site for every viewer);
// - a machine's commands: `command` (the command as GET .../commands lists it) on every status change
//   (PostgreSQL NOTIFY), `resync` when changes may have been missed (the LISTEN reconnected).
import type { CommandStatusNote } from "#lib/adapters/db/command-status.ts";
import type { MachineInfo } from "#lib/adapters/db/plant.ts";
import { StatePayload } from "#lib/contract/payloads.ts";
import { classify, DEFAULT_MAPPING } from "#lib/domain/oee/mapping.ts";
import type { Emit, EventStreamDeps } from "./event-stream.ts";
import { stateName } from "./plant.ts";

/** How often an open board gets its whole view (timelines, OEE so far, losses): as often as it polled. */
export const VIEW_PUSH_MS = 5000;

/** The `state` event: what the board's andon tile shows. */
export interface StateEventData {
  machine: string;
  state: string;
  /** epoch ms, the machine's own timestamp */
  since: number;
  loss: string;
  reason?: string;
}

/** The state event of a raw MQTT state message of `m`, or undefined when the payload is not valid. */
export function stateEvent(m: MachineInfo, payload: string): StateEventData | undefined {
  let json: unknown;
  try {
    json = JSON.parse(payload);
  } catch {
    return undefined;
  }
  const p = StatePayload.safeParse(json);
  if (!p.success) return undefined;
  const e = { ...(p.data.state ? { state: p.data.state } : {}), ...(p.data.code !== undefined ? { code: p.data.code } : {}) };
  return {
    machine: m.key,
    state: stateName(e),
    since: Math.floor(p.data.ts / 1000),
    loss: classify({ ...e, ...(p.data.reason ? { reason: p.data.reason } : {}) }, m.lossMapping ?? DEFAULT_MAPPING),
    ...(p.data.reason ? { reason: p.data.reason } : {}),
  };
}

export interface PlantSources {
  /** "enterprise/site" */
  site: string;
  onState: (listener: (machineKey: string, payload: string) => void) => Promise<() => void>;
  /** the asset model (the site's machines and their loss mappings) */
  machines: () => Promise<readonly MachineInfo[]>;
  /** the site's board as JSON, as GET .../shift answers it */
  view: () => Promise<string | undefined>;
  viewEveryMs?: number;
}

export function plantSource(s: PlantSources): EventStreamDeps["open"] {
  return async (emit: Emit) => {
    const remove = await s.onState((machineKey, payload) => {
      if (!machineKey.startsWith(`${s.site}/`)) return;
      void s.machines().then((all) => {
        const m = all.find((x) => x.key === machineKey);
        const e = m ? stateEvent(m, payload) : undefined;
        if (e) emit("state", JSON.stringify(e));
      });
    });
    let pushing = false;
    const timer = setInterval(async () => {
      if (pushing) return;
      pushing = true;
      try {
        const v = await s.view();
        if (v) emit("view", v);
      } catch {
        // the next push tries again; the board shows the last view meanwhile
      } finally {
        pushing = false;
      }
    }, s.viewEveryMs ?? VIEW_PUSH_MS);
    return () => {
      clearInterval(timer);
      remove();
    };
  };
}

export interface CommandSources {
  machineKey: string;
  onStatus: (listener: (note: CommandStatusNote | undefined) => void) => Promise<() => void>;
  /** the command as the API shows it, or undefined when it is gone */
  read: (id: string) => Promise<object | undefined>;
}

export function commandSource(s: CommandSources): EventStreamDeps["open"] {
  return async (emit: Emit) => {
    // one read at a time, in the order of the notifications: a slow read never overwrites a newer one
    let chain = Promise.resolve();
    return s.onStatus((note) => {
      if (!note) {
        emit("resync", "{}");
        return;
      }
      if (note.machineKey !== s.machineKey) return;
      chain = chain.then(async () => {
        const c = await s.read(note.id).catch(() => undefined);
        emit(c ? "command" : "resync", c ? JSON.stringify(c) : "{}");
      });
    });
  };
}
