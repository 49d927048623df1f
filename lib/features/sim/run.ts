// Runs the plant simulator: one MachineSim per machine of the asset model, publishing over MQTT
// exactly what a PLC gateway would (QoS 1, the device's own timestamps).
import mqtt from "mqtt";
import type { Logger } from "pino";
import { Counter, Gauge, Registry } from "prom-client";
import type { MachineInfo } from "#lib/adapters/db/plant.ts";
import { startMetricsServer } from "#lib/adapters/http/metrics-server.ts";
import { mqttOptions } from "#lib/adapters/mqtt/options.ts";
import { telemetryTopic } from "#lib/contract/topics.ts";
import type { Config } from "#lib/platform/config.ts";
import { MachineCommandLink } from "./commands.ts";
import { MachineSim } from "./machine.ts";
import { ingestPace, type PacedMessage, publishPaced } from "./paced.ts";
import { noDataState, PULSE_EVERY_MS, readPulse, SimPresence } from "./presence.ts";
import { SimEdgeNode, simEdgeNodeId } from "./sparkplug-edge.ts";

export interface SimulatorHandle {
  machines: number;
  stop(): Promise<void>;
}

export interface SimulatorOptions {
  config: Config;
  machines: MachineInfo[];
  log: Logger;
  /** Bearing degradation: machine path -> hours to failure. */
  degrade?: Map<string, number>;
  /** Command links down at start: machine path -> minutes (Infinity: until stopped). */
  offline?: Map<string, number>;
  /** Machines (keys) that speak Sparkplug B (./sparkplug-edge.ts) instead of Andon's JSON. */
  sparkplug?: ReadonlySet<string>;
  /**
   * The pulse file (./presence.ts): with it the machines say `unknown` when the simulator stops, and
   * from the last pulse when the previous run ended without a word. The plant's simulator process
   * has one; tests that only need telemetry do without.
   */
  presence?: { file: string };
  /**
   * Where the demo's history ended (epoch ms; `andon up` passes it on the start that filled it): the
   * JSON machines first publish their ticks from there to the clock, paced by the ingest worker, so the
   * present continues the past instead of leaving minutes in which the history's last states hold
   * with nothing made. At most CATCH_UP_MAX_MS back (and as long); not when the pulse shows that an
   * earlier run of this simulator went live after it (a restart); Sparkplug machines start at the clock.
   */
  continueFrom?: number;
}

/** A catch-up longer than this is not attempted (the gap stays: an unusually slow start). */
export const CATCH_UP_MAX_MS = 15 * 60_000;

export async function startSimulator(o: SimulatorOptions): Promise<SimulatorHandle> {
  const { config: cfg, log } = o;
  const registry = new Registry();
  const published = new Counter({ name: "andon_sim_published_total", help: "Messages published", labelNames: ["channel"], registers: [registry] });
  const failed = new Counter({ name: "andon_sim_publish_errors_total", help: "Publishes that failed", registers: [registry] });
  const running = new Gauge({ name: "andon_sim_machines_running", help: "Simulated machines running now", registers: [registry] });

  const sims = o.machines.map((m) => {
    const hours = o.degrade?.get(m.key);
    return new MachineSim(m, { seed: cfg.SIM_SEED, waveformEvery: cfg.SIM_WAVEFORM_EVERY, ...(hours ? { degradeToFailureMs: hours * 3_600_000 } : {}) });
  });
  // each machine answers commands on its own MQTT session (so one can be offline while others are not)
  const links = sims.map((sim) => new MachineCommandLink({ config: cfg, sim, log }));
  const timers: NodeJS.Timeout[] = [];
  await Promise.all(
    links.map(async (link, i) => {
      const minutes = o.offline?.get(sims[i]!.key);
      if (minutes === undefined) return link.connect();
      log.info({ machine: sims[i]!.key, minutes }, "command link offline at start");
      if (Number.isFinite(minutes)) timers.push(setTimeout(() => void link.connect(), minutes * 60_000));
    }),
  );
  const client = await mqtt.connectAsync(cfg.MQTT_URL, mqttOptions(cfg, { clientId: `andon-sim-${process.pid}`, clean: true }));
  const edges = sparkplugEdges(cfg, sims, o.sparkplug ?? new Set(), log);
  log.info({ machines: sims.length, intervalMs: cfg.SIM_INTERVAL_MS, seed: cfg.SIM_SEED }, "simulator publishing");

  let inFlight = 0;
  const path = (sim: MachineSim) => ({
    enterprise: sim.machine.enterprise,
    site: sim.machine.site,
    area: sim.machine.area,
    line: sim.machine.line,
    machine: sim.machine.slug,
  });
  /** Each JSON machine's `unknown` state at `tsMs`, acknowledged by the broker (QoS 1). */
  const sayNoData = (tsMs: number, reason: string) =>
    Promise.all(
      sims
        .filter((sim) => !edges.has(sim.key))
        .map((sim) =>
          client
            .publishAsync(telemetryTopic(path(sim), "state"), JSON.stringify(noDataState(tsMs, reason)), { qos: 1 })
            .then(() => published.inc({ channel: "state" })),
        ),
    );
  const presence = o.presence && new SimPresence(o.presence.file, log, cfg.INGEST_MAX_AGE_S * 1000);
  // a run that already went live after the history (this process restarted) has published past its end
  const earlier = o.presence ? readPulse(o.presence.file) : undefined;
  await presence?.markSilence(sayNoData);
  if (o.continueFrom !== undefined) {
    const jsonSims = sims.filter((sim) => !edges.has(sim.key));
    if (earlier && earlier.lastMs >= o.continueFrom)
      log.info({ pulse: new Date(earlier.lastMs).toISOString() }, "not catching up: an earlier run went live after the history");
    else await catchUp(o, client, jsonSims);
  }
  const tick = () => {
    const now = Date.now();
    let up = 0;
    for (const sim of sims) {
      const edge = edges.get(sim.key);
      if (edge) {
        edge.data(sim, sim.tick(now), now);
        if (sim.state === "running" || sim.state === "low_speed") up++;
        continue;
      }
      const where = path(sim);
      for (const msg of sim.tick(now)) {
        // A real gateway buffers while the broker is away; past a bound we drop and count it.
        if (inFlight > 20_000) {
          failed.inc();
          continue;
        }
        inFlight++;
        client.publish(telemetryTopic(where, msg.channel), JSON.stringify(msg.payload), { qos: 1 }, (err) => {
          inFlight--;
          if (err) failed.inc();
          else published.inc({ channel: msg.channel });
        });
      }
      if (sim.state === "running" || sim.state === "low_speed") up++;
    }
    running.set(up);
  };
  tick();
  presence?.beat();
  const timer = setInterval(tick, cfg.SIM_INTERVAL_MS);
  const pulseTimer = setInterval(() => presence?.beat(), PULSE_EVERY_MS);
  const metrics = await startMetricsServer(registry, cfg.SIM_METRICS_PORT);
  return {
    machines: sims.length,
    async stop() {
      clearInterval(timer);
      clearInterval(pulseTimer);
      for (const t of timers) clearTimeout(t);
      // clean only once the broker has them: else the next start marks the machines from this pulse
      const said = presence ? await presence.stop(sayNoData) : true;
      await Promise.all(links.map((l) => l.disconnect()));
      // unacknowledged publishes would hold a normal end forever (the broker is away)
      await client.endAsync(!said);
      await Promise.all([...new Set(edges.values())].map((e) => e.end()));
      await metrics.close();
    },
  };
}

async function catchUp(o: SimulatorOptions, client: mqtt.MqttClient, sims: MachineSim[]): Promise<void> {
  const from = o.continueFrom as number;
  const behind = Date.now() - from;
  if (behind > CATCH_UP_MAX_MS || behind < 0) {
    o.log.warn(
      { from: new Date(from).toISOString(), behindS: Math.round(behind / 1000) },
      "not catching up from the history's end: more than 15 min back, or ahead of the clock",
    );
    return;
  }
  const started = Date.now();
  const pace = await ingestPace(o.config.INGEST_METRICS_PORT, 500);
  // publishing slower than the clock would never end: at most CATCH_UP_MAX_MS of it, then live
  const clock = () => (Date.now() - started > CATCH_UP_MAX_MS ? Number.NEGATIVE_INFINITY : Date.now());
  let messages: number;
  try {
    messages = await publishPaced(client, catchUpMessages(sims, from, o.config.SIM_INTERVAL_MS, clock), { ...(pace ? { pace } : {}), stallMs: 30_000 });
  } catch (e) {
    // the simulation goes on live whatever happened here (e.g. the ingest worker restarted meanwhile)
    o.log.warn({ err: (e as Error).message }, "catching up from the history's end stopped; going live");
    return;
  }
  o.log.info(
    { from: new Date(from).toISOString(), messages, seconds: (Date.now() - started) / 1000, paced: pace !== undefined },
    "caught up from the history's end to the clock",
  );
}

/**
 * The machines' ticks from `from` until the clock, time-major, as they would have published them live:
 * the clock is read again after every instant, so the last tick is at most one interval behind it.
 */
export function* catchUpMessages(sims: readonly MachineSim[], from: number, intervalMs: number, clock: () => number): Generator<PacedMessage> {
  for (let t = from; t <= clock(); t += intervalMs)
    for (const sim of sims)
      for (const msg of sim.tick(t)) yield { topic: telemetryTopic(sim.machine.path, msg.channel), payload: JSON.stringify(msg.payload), at: t };
}

/** One Sparkplug edge node per line of the Sparkplug machines, by machine key. */
function sparkplugEdges(cfg: Config, sims: MachineSim[], keys: ReadonlySet<string>, log: Logger): Map<string, SimEdgeNode> {
  const byLine = new Map<string, MachineSim[]>();
  for (const s of sims.filter((x) => keys.has(x.key))) byLine.set(simEdgeNodeId(s.machine), [...(byLine.get(simEdgeNodeId(s.machine)) ?? []), s]);
  const out = new Map<string, SimEdgeNode>();
  for (const [id, line] of byLine) {
    const edge = new SimEdgeNode(cfg, cfg.SIM_SPARKPLUG_GROUP, id, line, log);
    for (const s of line) out.set(s.key, edge);
  }
  if (out.size) log.info({ group: cfg.SIM_SPARKPLUG_GROUP, edgeNodes: byLine.size, machines: out.size }, "simulated machines speaking Sparkplug B");
  return out;
}

/** SIM_SPARKPLUG_LINES: "site/area/line,..." (enterprise optional) -> the keys of their machines. */
export function parseSparkplugLines(spec: string, machines: MachineInfo[]): Set<string> {
  const out = new Set<string>();
  for (const item of spec
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const on = machines.filter((m) => `${m.enterprise}/${m.site}/${m.area}/${m.line}` === item || `${m.site}/${m.area}/${m.line}` === item);
    if (!on.length) throw new Error(`SIM_SPARKPLUG_LINES: no line "${item}" with machines in the asset model`);
    for (const m of on) out.add(m.key);
  }
  return out;
}

/** "site/area/line/machine[:hours],..." (enterprise optional) -> full machine path -> hours to failure (default 6). */
export function parseDegrade(spec: string, machines: MachineInfo[]): Map<string, number> {
  return parseMachineList("SIM_DEGRADE", spec, machines, 6);
}

/** SIM_OFFLINE: "site/area/line/machine[:minutes],..." -> full machine path -> minutes offline (default: until stopped). */
export function parseOffline(spec: string, machines: MachineInfo[]): Map<string, number> {
  return parseMachineList("SIM_OFFLINE", spec, machines, Number.POSITIVE_INFINITY);
}

function parseMachineList(setting: string, spec: string, machines: MachineInfo[], fallback: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const item of spec
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [path = "", hoursText] = item.split(":");
    const hours = hoursText === undefined ? fallback : Number(hoursText);
    if (!(hours > 0)) throw new Error(`${setting}: "${item}": the number after ':' must be positive`);
    // a machine is named by its key, or by its key without the enterprise
    const m = machines.find((x) => x.key === path || x.key.slice(x.path.enterprise.length + 1) === path);
    if (!m) throw new Error(`${setting}: no machine "${path}" in the asset model`);
    out.set(m.key, hours);
  }
  return out;
}
