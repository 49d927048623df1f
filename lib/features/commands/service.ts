// The command service: sends queued commands to their machines over MQTT 5 (QoS 1, response topic,
// correlation data = command id, message expiry = the time left), at most one in flight per
// machine and in order, and applies the machines' answers. PostgreSQL is the truth: every step is
// a conditional transition (lib/features/commands/store.ts), so a redelivered answer, a second service
// instance or a restart changes nothing twice.
//
// Restart: the MQTT session is persistent (stable client id, clean: false), so answers published
// while the service was down wait at the broker; commands still SENT are published again with the
// same id (machines must execute an id at most once and answer a repeat with their earlier answer,
// docs/mqtt.md), which also recovers an answer lost between the broker and a crashed service.
import { createHash } from "node:crypto";
import mqtt, { type IPublishPacket, type MqttClient } from "mqtt";
import pg from "pg";
import type { Logger } from "pino";
import type { PrismaClient } from "#lib/adapters/db/client.ts";
import type { Command } from "#lib/adapters/db/generated/client.ts";
import { mqttOptions } from "#lib/adapters/mqtt/options.ts";
import { COMMAND_TYPES, type CommandRequest, CommandResponse, type CommandType } from "#lib/contract/commands.ts";
import { asMachineKey } from "#lib/contract/identity.ts";
import { preview } from "#lib/contract/preview.ts";
import { bridgeStateFilter, commandTopic, machineOfCommandTopic, responseFilter, responseTopic, siteOfBridgeStateTopic } from "#lib/contract/topics.ts";
import { isFinal } from "#lib/domain/commands/lifecycle.ts";
import type { Config } from "#lib/platform/config.ts";
import { COMMANDS_CHANNEL, ExpiredBeforeSend, recordRepublish, transition } from "./store.ts";

const ACTOR = "command-service";
const NEVER_PUBLISHED = "expired before it could be sent: never published";

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
/**
 * Text PostgreSQL stores whatever a machine sent: at most `max` UTF-16 units, NUL written as the
 * text \u0000 (refused in text and JSON), and no lone surrogate (JSONB refuses "\ud800"; cutting a
 * string can split a pair).
 */
const storable = (t: string, max = 2000) => t.slice(0, max).replace(LONE_SURROGATE, "\ufffd").replaceAll("\u0000", "\\u0000");
const noNul = (t: string) => storable(t, Number.POSITIVE_INFINITY);
const payloadOf = (p: IPublishPacket) => (Buffer.isBuffer(p.payload) ? p.payload : Buffer.from(p.payload));

/** The message of whatever was thrown (not always an Error). */
const messageOf = (e: unknown) => (e instanceof Error ? e.message : preview(e, 200));
/** Failures that can pass (the database or the network away), as opposed to a refusal of this answer. */
function isTransient(e: unknown): boolean {
  const code = (e as { code?: unknown } | undefined)?.code;
  if (typeof code === "string" && /^P1\d{3}$/.test(code)) return true; // Prisma: cannot reach the database
  if (typeof code === "string" && /^(ECONN|ETIMEDOUT|EPIPE|ENOTFOUND|57P|08)/.test(code)) return true; // network, shutdown, connection
  return /connect|timeout|terminat|closed/i.test(messageOf(e).slice(0, 200));
}
/** pg advisory lock key: one active command service per database; others stand by. */
const LEADER_LOCK = 72707370;

export interface CommandServiceOptions {
  config: Pick<
    Config,
    | "DATABASE_URL"
    | "MQTT_URL"
    | "MQTT_USERNAME"
    | "MQTT_PASSWORD"
    | "MQTT_CA_FILE"
    | "MQTT_CERT_FILE"
    | "MQTT_KEY_FILE"
    | "MQTT_TLS_REJECT_UNAUTHORIZED"
    | "COMMAND_CLIENT_ID"
    | "COMMAND_TICK_MS"
    | "COMMAND_ANSWER_GRACE_S"
  >;
  prisma: PrismaClient;
  log: Logger;
  /** called when the service lost its leader lock (its PostgreSQL connection); it has stopped sending */
  onLost?: (e: Error) => void;
}

export interface CommandService {
  /** runs one round now (expiries, timeouts, dispatch); resolves when it is done */
  pump(): Promise<void>;
  stop(): Promise<void>;
}

export async function startCommandService(o: CommandServiceOptions): Promise<CommandService> {
  const { prisma, log, config: cfg } = o;
  const db = new pg.Client({ connectionString: cfg.DATABASE_URL });
  await db.connect();
  let stopped = false;
  // The leader lock lives on this connection: losing it means another service may lead now. Stop
  // sending at once and report; the process exits and its supervisor starts it again (as a standby).
  db.on("error", (e) => {
    if (stopped) return;
    stopped = true;
    log.error({ err: e.message }, "lost the PostgreSQL connection that holds the command service's lock; stopping");
    o.onLost?.(e);
  });
  // One round at a time; a request during a round runs one more round after it (schedule()).
  let running: Promise<void> | undefined;
  let again = false;
  // Sites whose bridge reports the link down (onBridgeState). Declared before the MQTT connection:
  // messages queued in the persistent session arrive in the same read as the CONNACK.
  const linkDown = new Set<string>();
  for (let waited = false; ; waited = true) {
    const r = await db.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1) AS ok", [LEADER_LOCK]);
    if (r.rows[0]?.ok) break;
    if (!waited) log.info("another command service is active on this database; standing by");
    await new Promise((res) => setTimeout(res, 2000));
  }

  // Answers are applied before they are acknowledged: handleMessage's callback sends the PUBACK.
  const client: MqttClient = mqtt.connect(
    cfg.MQTT_URL,
    mqttOptions(cfg, { clientId: cfg.COMMAND_CLIENT_ID, clean: false, properties: { sessionExpiryInterval: 7 * 24 * 3600 } }),
  );
  client.handleMessage = (packet, done) => {
    if (onBridgeState(packet)) return done();
    onAnswer(packet)
      .catch(async (e: unknown) => {
        // an answer the database refuses for good (bad bytes, a constraint) is dead-lettered; retrying it
        // would stall every answer behind it
        if (!isTransient(e)) return deadLetter(packet.topic, `not applicable: ${messageOf(e).slice(0, 300)}`, payloadOf(packet));
        throw e;
      })
      .then(
        () => done(),
        (e: unknown) => {
          log.error(
            { err: messageOf(e).slice(0, 300), topic: storable(packet.topic, 300) },
            "could not apply an answer; it stays unacknowledged and comes again",
          );
          // no PUBACK: end the connection so the broker delivers it again after the reconnect
          client.stream.destroy();
        },
      );
  };
  client.on("error", (e) => log.warn({ err: e.message }, "MQTT error"));
  await new Promise<void>((res, rej) => {
    client.once("connect", () => res());
    client.once("error", rej);
  });

  const subscribed = new Set<string>();
  const subscribe = async () => {
    for (const e of await prisma.enterprise.findMany({ select: { slug: true } })) {
      for (const f of [responseFilter(e.slug), bridgeStateFilter(e.slug)]) {
        if (subscribed.has(f)) continue;
        await client.subscribeAsync(f, { qos: 1 });
        subscribed.add(f);
      }
    }
  };

  // Sites whose factory broker's bridge says it is cut off from this (central) broker: a command sent now
  // would be dropped (docs/deployment.md), so their commands wait in the queue until the link is back or
  // they expire. Sites without a bridge (one broker for everything) never appear here.
  function onBridgeState(packet: IPublishPacket): boolean {
    const site = siteOfBridgeStateTopic(packet.topic);
    if (!site) return false;
    const up = payloadOf(packet).toString("utf8").trim() === "1";
    if (up === !linkDown.has(site)) return true;
    if (up) linkDown.delete(site);
    else linkDown.add(site);
    log.info({ site, link: up ? "up" : "down" }, up ? "site link back: sending its queued commands" : "site link down: holding its commands in the queue");
    if (up) void schedule();
    return true;
  }
  await subscribe();

  // A dead letter is bounded whatever the answer: topic and reason cut, the payload's first 2000
  // characters with its size and SHA-256 (to find the original in a capture).
  async function deadLetter(topic: string, reason: string, payload: Buffer) {
    const subject = storable(topic, 300);
    log.warn({ topic: subject, reason: storable(reason, 300) }, "command answer dead-lettered");
    await prisma.auditLog.create({
      data: {
        actor: ACTOR,
        action: "command.answer.dead-lettered",
        subject,
        siteSlug: storable(topic.split("/", 2)[1] ?? "", 100) || null,
        result: "dead-lettered",
        details: {
          reason: storable(reason, 500),
          payload: storable(payload.subarray(0, 8000).toString("utf8"), 2000),
          bytes: payload.length,
          sha256: createHash("sha256").update(payload).digest("hex"),
        },
      },
    });
  }

  async function onAnswer(packet: IPublishPacket) {
    const payload = payloadOf(packet);
    const where = machineOfCommandTopic(packet.topic);
    if (!where?.response) return deadLetter(packet.topic, "not a command response topic", payload);
    let json: unknown;
    try {
      json = JSON.parse(payload.toString("utf8"));
    } catch {
      return deadLetter(packet.topic, "payload is not JSON", payload);
    }
    const parsed = CommandResponse.safeParse(json);
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      return deadLetter(packet.topic, `${i?.path.join(".") || "payload"}: ${i?.message}`, payload);
    }
    const r = parsed.data;
    const corr = packet.properties?.correlationData?.toString("utf8");
    if (corr !== undefined && corr !== r.id) return deadLetter(packet.topic, `correlation data ${preview(corr, 60)} does not match id ${r.id}`, payload);
    const c = await prisma.command.findUnique({ where: { id: r.id } });
    if (!c) return deadLetter(packet.topic, `no command ${r.id}`, payload);
    if (c.machineKey !== where.key) return deadLetter(packet.topic, `command ${r.id} was sent to ${c.machineKey}, not to ${where.key}`, payload);
    const late = c.status === "EXPIRED" ? `answered "${r.status}" at ${r.ts}, after Andon had given it up as expired` : undefined;
    const reason = noNul([r.reason, late].filter(Boolean).join("; ")) || undefined;
    const apply = () => transition(prisma, c.id, { answer: r.status }, { actor: `machine ${c.machineKey}`, ...(reason ? { reason } : {}) });
    // a timeout may have changed the command between our read and our update (the update then matches
    // nothing): one more try against the status as it is now
    const done = (await apply()) ?? (await apply());
    if (!done) {
      log.debug({ command: c.id, status: c.status, answer: r.status }, "answer changes nothing (a repeat, or after the final state)");
      return;
    }
    log.info({ command: c.id, machine: c.machineKey, type: c.type, status: done.status }, "command answered");
    if (isFinal(done.status)) schedule();
  }

  // The last check before a command leaves: one already expired is never published (the broker would
  // still deliver it for the 1 s minimum expiry). It is recorded as EXPIRED with the reason.
  function publish(c: Command): void {
    const now = Date.now();
    if (c.expiresAt.getTime() <= now) {
      void transition(prisma, c.id, "expire", { actor: ACTOR, reason: NEVER_PUBLISHED, at: now }).catch((e: unknown) =>
        log.warn({ command: c.id, err: messageOf(e) }, "could not record an expiry at send time; the next round expires it"),
      );
      return;
    }
    const left = Math.ceil((c.expiresAt.getTime() - now) / 1000);
    const request: CommandRequest = {
      v: 1,
      id: c.id,
      type: c.type as CommandType,
      params: c.params as Record<string, unknown>,
      issued_at: c.createdAt.toISOString(),
      expires_at: c.expiresAt.toISOString(),
      issued_by: c.requestedBy,
    };
    client
      .publishAsync(commandTopic(asMachineKey(c.machineKey)), JSON.stringify(request), {
        qos: 1,
        properties: {
          responseTopic: responseTopic(asMachineKey(c.machineKey)),
          correlationData: Buffer.from(c.id, "utf8"),
          messageExpiryInterval: Math.max(1, left),
          contentType: "application/json",
        },
      })
      .catch((e: Error) => log.warn({ command: c.id, err: e.message }, "publish failed; the command is published again after a restart or expires"));
  }

  async function round() {
    const now = Date.now();
    const expire = (ids: { id: string }[], reason: string) =>
      Promise.all(ids.map((c) => transition(prisma, c.id, "expire", { actor: ACTOR, reason, at: now })));
    const stale = await prisma.command.findMany({
      where: { status: { in: ["CREATED", "QUEUED"] }, expiresAt: { lte: new Date(now) } },
      select: { id: true, siteKey: true },
    });
    await expire(
      stale.filter((c) => !linkDown.has(c.siteKey)),
      "expired while queued: it was never sent (an earlier command to the machine was still in flight)",
    );
    await expire(
      stale.filter((c) => linkDown.has(c.siteKey)),
      "expired while queued: it was never sent (the site's link to the central broker was down)",
    );
    await expire(
      await prisma.command.findMany({ where: { status: "SENT", expiresAt: { lte: new Date(now - cfg.COMMAND_ANSWER_GRACE_S * 1000) } }, select: { id: true } }),
      "the machine did not accept it before it expired (offline or not answering); the broker discards it and the machine must not carry it out",
    );
    for (const c of await prisma.command.findMany({ where: { status: "ACCEPTED" } })) {
      const within = COMMAND_TYPES[c.type as CommandType]?.completeWithinS ?? 60;
      if ((c.acceptedAt?.getTime() ?? now) + within * 1000 <= now) {
        await transition(prisma, c.id, "complete_timeout", { actor: ACTOR, reason: `accepted but not completed within ${within} s`, at: now });
      }
    }
    const busy = await prisma.command.findMany({ where: { status: { in: ["SENT", "ACCEPTED"] } }, select: { machineId: true } });
    const next = await prisma.command.findMany({
      where: { status: "QUEUED", machineId: { notIn: busy.map((b) => b.machineId) } },
      orderBy: { seq: "asc" },
      distinct: ["machineId"],
    });
    for (const c of next) {
      if (linkDown.has(c.siteKey)) continue; // held until the site's link is back
      // transition("send") refuses a command that is expired when the update lands (ExpiredBeforeSend)
      const sent = await transition(prisma, c.id, "send", { actor: ACTOR, at: Date.now() }).catch(async (e: unknown) => {
        if ((e as { code?: string }).code === "P2002") return undefined; // another command of the machine went out first
        if (!(e instanceof ExpiredBeforeSend)) throw e;
        await transition(prisma, c.id, "expire", { actor: ACTOR, reason: NEVER_PUBLISHED, at: Date.now() });
        return undefined;
      });
      if (sent) publish(sent);
    }
  }

  function schedule(): Promise<void> {
    if (stopped) return Promise.resolve();
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        try {
          await round();
        } catch (e) {
          log.error({ err: messageOf(e) }, "command round failed; retried on the next tick");
        }
      } while (again && !stopped);
      running = undefined;
    })();
    return running;
  }

  // Reconcile what was in flight when the service last stopped.
  const inFlight = await prisma.command.findMany({ where: { status: "SENT", expiresAt: { gt: new Date() } } });
  for (const c of inFlight) {
    const again = await recordRepublish(prisma, c.id, { actor: ACTOR, reason: "published again after a restart of the command service (same id)" });
    if (again) publish(again);
  }
  if (inFlight.length)
    log.info({ commands: inFlight.length }, "published in-flight commands again after a restart (same ids: machines answer repeats, never execute twice)");

  await db.query(`LISTEN ${COMMANDS_CHANNEL}`);
  db.on("notification", () => void schedule());
  const tick = setInterval(() => void schedule(), cfg.COMMAND_TICK_MS);
  const resubscribe = setInterval(() => void subscribe().catch((e: Error) => log.warn({ err: e.message }, "subscribe failed")), 30_000);
  await schedule();
  log.info({ clientId: cfg.COMMAND_CLIENT_ID }, "command service started");

  return {
    pump: async () => {
      await running;
      await schedule();
    },
    async stop() {
      stopped = true;
      clearInterval(tick);
      clearInterval(resubscribe);
      await running;
      await client.endAsync();
      await db.end();
    },
  };
}
