// The Kafka forwarder (workers/forward.ts) against a real Apache Kafka 4.4 in KRaft mode: exactly the
// stored records arrive after the forwarder is killed and started again, after Kafka is stopped and
// started, and on a 3-broker cluster when one broker is SIGKILLed while records flow. Each run has
// its own topic prefix (its own positions), starting at the moment the run begins; a consumer reads
// everything back from the earliest offset and counts each record id.
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { prismaFor } from "#lib/adapters/db/client.ts";
import { forwardCursorStore } from "#lib/adapters/db/forward.ts";
import { ensureQuestSchema } from "#lib/adapters/questdb/schema.ts";
import { TABLES } from "#lib/adapters/questdb/tables.ts";
import { QuestWriter } from "#lib/adapters/questdb/writer.ts";
import { type KafkaCluster, startKafkaCluster } from "#lib/dev/kafka.ts";
import { TOPICS } from "#lib/features/forward/records.ts";
import { telemetryRows } from "#lib/features/ingest/mapping.ts";
import { freePort, waitFor } from "#lib/features/stack/net.ts";
import type { Managed } from "#lib/features/stack/process.ts";
import { allArrived, collectArrivals, countsFeed, failedOver, forwardRun, report } from "../support/forward.ts";
import { seedTestPlant, testPlant } from "../support/stack.ts";
import { startTcpProxy } from "../support/tcp-proxy.ts";

const env = inject("stack");
const prisma = prismaFor(env.DATABASE_URL);
const logs = mkdtempSync(join(tmpdir(), "andon-forward-test-"));
const BATCH = 500;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const run = (cluster: KafkaCluster, name: string) => forwardRun({ env, prisma, logs, batch: BATCH }, cluster, name);

describe("forwarder on one Kafka broker", () => {
  let cluster: KafkaCluster;
  beforeAll(async () => {
    await ensureQuestSchema(env.QUESTDB_HTTP_URL);
    cluster = await startKafkaCluster({ n: 1, home: env.ANDON_HOME });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it("killed (SIGKILL) and started again: resumes from its committed position; telemetry, OEE buckets, alerts and command events all arrive", async () => {
    const started = Date.now();
    const ent = `fw${randomBytes(3).toString("hex")}`;
    await seedTestPlant(env.DATABASE_URL, testPlant(ent, 1));
    const r = await run(cluster, "restart");
    const feed = countsFeed(env, ent, 400);
    let fwd: Managed = await r.start();
    const expected: string[] = [];
    // OEE buckets as the roll-up writes them (computed now), an alert raised and then acknowledged, a command's events
    const writer = new QuestWriter({ httpUrl: env.QUESTDB_HTTP_URL });
    const computedUs = Date.now() * 1000;
    const bucket0 = Math.floor(Date.now() / 60_000) * 60_000 - 3_600_000;
    const oeeRows = Array.from({ length: 8 }, (_, i) => ({
      table: TABLES.oeeMachine,
      symbols: [
        ["granularity", "minute"],
        ["enterprise", ent],
        ["site", "s"],
        ["area", "a"],
        ["line", "l"],
        ["machine", "m0"],
      ] as [string, string][],
      fields: [
        { kind: "timestamp" as const, name: "bucket_end", micros: (bucket0 + (i + 1) * 60_000) * 1000 },
        { kind: "float" as const, name: "oee", value: 0.5 + i / 100 },
        { kind: "timestamp" as const, name: "computed_at", micros: computedUs },
        { kind: "storedAt" as const, name: "stored_at" },
      ],
      ts: (bucket0 + i * 60_000) * 1000,
    }));
    await writer.write(oeeRows);
    await writer.close();
    expected.push(...oeeRows.map((o) => `oee:${ent}/s/a/l/m0:${o.ts}:minute@${computedUs}`));
    const machine = await prisma.machine.findFirstOrThrow({
      where: { line: { area: { site: { enterprise: { slug: ent } } } } },
      include: { line: { include: { area: { include: { site: true } } } } },
    });
    const site = machine.line.area.site;
    const machineKey = `${ent}/${site.slug}/${machine.line.area.slug}/${machine.line.slug}/${machine.slug}`;
    const siteKey = `${ent}/${site.slug}`;
    const now = new Date();
    const alert = await prisma.alert.create({
      data: {
        machineId: machine.id,
        machineKey,
        siteKey,
        cause: "zone:velocity_rms_mm_s",
        feature: "velocity_rms_mm_s",
        severity: "WARNING",
        value: 7.2,
        explanation: "zone C",
        suggestedAction: "plan an inspection",
        detectorVersion: "test",
        onsetAt: now,
        lastSeenAt: now,
      },
    });
    const commandId = randomUUID();
    await prisma.command.create({
      data: {
        id: commandId,
        machineId: machine.id,
        machineKey,
        siteKey,
        type: "stop",
        params: { reason: "test" },
        status: "SENT",
        requestedBy: "test",
        expiresAt: new Date(Date.now() + 60_000),
      },
    });
    await prisma.commandEvent.createMany({
      data: [
        { commandId, to: "CREATED", actor: "test" },
        { commandId, from: "CREATED", to: "QUEUED", actor: "test" },
        { commandId, from: "QUEUED", to: "SENT", actor: "test" },
      ],
    });
    const events = await prisma.commandEvent.findMany({ where: { commandId } });
    expected.push(`alert:${alert.id}@${alert.updatedAt.toISOString()}`, ...events.map((e) => `command-event:${e.id}`));

    await waitFor("the first records", async () => r.arrivals.counts.size > 1000, 60_000);
    await fwd.kill();
    const sentBeforeKill = r.arrivals.counts.size;
    await sleep(2000);
    fwd = await r.start();
    // the alert changes once its first state is in Kafka: the change is a record of its own
    await allArrived(r.arrivals, [`alert:${alert.id}@${alert.updatedAt.toISOString()}`]);
    const acked = await prisma.alert.update({ where: { id: alert.id }, data: { status: "ACKNOWLEDGED", acknowledgedBy: "test", acknowledgedAt: new Date() } });
    expected.push(`alert:${alert.id}@${acked.updatedAt.toISOString()}`);
    await sleep(3000);
    await feed.stop();
    expected.push(...feed.ids);
    await allArrived(r.arrivals, expected);
    await sleep(1000); // anything sent after the last expected record shows as an extra or a duplicate
    const errors = await r.metric(/andon_forward_errors_total\{[^}]*\} (\d+)/g);
    await fwd.stop();
    await r.arrivals.close();
    report("restart", r.arrivals, expected, Date.now() - started, `; ${sentBeforeKill} before the kill, forwarder errors ${errors}`);
    expect(r.arrivals.missing(expected)).toEqual([]);
    expect(new Set(r.arrivals.counts.keys())).toEqual(new Set(expected));
    // at most the batch that was sent but not committed when the forwarder was killed comes again
    expect(r.arrivals.duplicates()).toBeLessThanOrEqual(BATCH);
    // one machine's records in one partition: its telemetry arrives in its stored order
    const m1 = (r.arrivals.byKey.get(`${ent}/s/a/l/m1`) ?? []).filter((id, i, all) => all.indexOf(id) === i);
    expect(m1).toEqual(feed.ids.filter((id) => id.includes(`${ent}/s/a/l/m1:`)));
  });

  it("Kafka stopped for a while: the backlog stays in the sources and is forwarded when Kafka is back", async () => {
    const started = Date.now();
    const ent = `fo${randomBytes(3).toString("hex")}`;
    const r = await run(cluster, "outage");
    const feed = countsFeed(env, ent, 400);
    const fwd = await r.start();
    await waitFor("the first records", async () => r.arrivals.counts.size > 500, 60_000);
    await r.arrivals.close();
    const broker = cluster.brokers[0]!;
    await broker.stop();
    await sleep(8000);
    const errorsDuringOutage = await r.metric(/andon_forward_errors_total\{[^}]*stage="send"[^}]*\} (\d+)/g);
    const lagDuringOutage = await r.metric(/andon_forward_lag_seconds\{stream="counts"\} ([\d.]+)/g);
    await broker.start();
    await sleep(2000);
    await feed.stop();
    const again = await collectArrivals(
      cluster.bootstrap,
      Object.values(TOPICS).map((t) => `${r.prefix}${t}`),
      `test-outage-2-${r.prefix}`,
    );
    await allArrived(again, feed.ids);
    await sleep(1000);
    await fwd.stop();
    await again.close();
    report("outage", again, feed.ids, Date.now() - started, `; during the 8 s outage: send errors ${errorsDuringOutage}, counts lag ${lagDuringOutage} s`);
    expect(errorsDuringOutage).toBeGreaterThan(0);
    expect(again.missing(feed.ids)).toEqual([]);
    expect(new Set(again.counts.keys())).toEqual(new Set(feed.ids));
    // a batch whose acks were lost in the outage is sent again whole: at most one batch per failed send
    expect(again.duplicates()).toBeLessThanOrEqual(BATCH * Math.max(1, errorsDuringOutage));
  });

  it("telemetry held back by its writer past the settle time (QuestDB unreachable for ingest) is forwarded once it lands", async () => {
    const started = Date.now();
    const ent = `fh${randomBytes(3).toString("hex")}`;
    const r = await run(cluster, "held");
    // a steady feed keeps the forwarder's committed position moving
    const feed = countsFeed(env, ent, 200);
    const fwd = await r.start();
    // the ingest worker's way to QuestDB, through a link that can be cut
    const quest = new URL(env.QUESTDB_HTTP_URL);
    const proxy = await startTcpProxy(await freePort(), { host: quest.hostname, port: Number(quest.port) });
    const viaProxy = new URL(env.QUESTDB_HTTP_URL);
    viaProxy.port = String(proxy.port);
    const held = new QuestWriter({ httpUrl: viaProxy.toString(), requestTimeoutMs: 2000 });
    await proxy.cut();
    const heldFrom = Date.now();
    // rows as the ingest mapping makes them for messages that came in while QuestDB was out of reach
    const path = { enterprise: ent, site: "s", area: "a", line: "l", machine: "held" };
    const rows = Array.from({ length: 50 }, (_, i) =>
      telemetryRows(path, { channel: "counts", msg: { v: 1, ts: (heldFrom + i) * 1000, mode: "delta", total: 1, reject: 0 } } as never),
    ).flat();
    const heldIds = rows.map((row) => `counts:${ent}/s/a/l/held:${row.ts}`);
    let attempts = 0;
    // as the ingest batcher does: the batch is kept and written again until it lands
    const landing = (async () => {
      for (;;) {
        attempts++;
        try {
          return await held.write(rows);
        } catch {
          await sleep(500);
        }
      }
    })();
    const counts = `${r.prefix}${TOPICS.counts}`;
    const cursor = forwardCursorStore(prisma);
    await waitFor("the forwarder's position past the held messages", async () => ((await cursor.get(counts)) ?? 0) > heldFrom + 2000, 60_000);
    const heldForMs = Date.now() - heldFrom;
    await proxy.restore();
    await landing;
    await held.close();
    await proxy.close();
    await feed.stop();
    const expected = [...feed.ids, ...heldIds];
    await allArrived(r.arrivals, expected, 60_000).catch(() => undefined);
    await fwd.stop();
    await r.arrivals.close();
    report(
      "held",
      r.arrivals,
      expected,
      Date.now() - started,
      `; ${heldIds.length} rows held ${heldForMs} ms (${attempts} write attempts), ${r.arrivals.missing(heldIds).length} of them missing`,
    );
    expect(r.arrivals.missing(heldIds)).toEqual([]);
    expect(r.arrivals.missing(expected)).toEqual([]);
  });
});

describe("forwarder on a 3-broker KRaft cluster", () => {
  let cluster: KafkaCluster;
  beforeAll(async () => {
    await ensureQuestSchema(env.QUESTDB_HTTP_URL);
    cluster = await startKafkaCluster({ n: 3, home: env.ANDON_HOME });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it("one broker SIGKILLed while records flow: every record arrives, duplicates counted", async () => {
    const started = Date.now();
    const ent = `fk${randomBytes(3).toString("hex")}`;
    const r = await run(cluster, "broker-kill");
    const feed = countsFeed(env, ent, 400);
    const fwd = await r.start();
    await waitFor("the first records", async () => r.arrivals.counts.size > 1000, 60_000);
    const victim = cluster.brokers[1]!;
    await victim.kill();
    const atKill = r.arrivals.counts.size;
    await sleep(8000);
    await feed.stop();
    // this client's consumer does not follow the partitions whose leader died (seen with
    // @platformatic/kafka 1.35): what is in Kafka is read by a new consumer, from the earliest offset,
    // once the cluster has failed over (a consumer made before that can be sent to the dead broker for
    // its group and read nothing: seen once in a CI run, 5440 of 5440 missing after 90 s)
    await r.arrivals.close();
    await failedOver(cluster, victim.id, r.topics);
    const again = await collectArrivals(
      cluster.brokers
        .filter((b) => b.id !== victim.id)
        .map((b) => b.address)
        .join(","),
      Object.values(TOPICS).map((t) => `${r.prefix}${t}`),
      `test-broker-kill-2-${r.prefix}`,
    );
    await allArrived(again, feed.ids);
    await sleep(1000);
    const errors = await r.metric(/andon_forward_errors_total\{[^}]*\} (\d+)/g);
    await fwd.stop();
    await again.close();
    report("broker-kill", again, feed.ids, Date.now() - started, `; ${atKill} before broker ${victim.id} was killed, forwarder errors ${errors}`);
    expect(victim.running()).toBe(false);
    expect(again.missing(feed.ids)).toEqual([]);
    expect(new Set(again.counts.keys())).toEqual(new Set(feed.ids));
    expect(again.duplicates()).toBeLessThanOrEqual(BATCH * Math.max(1, errors));
  });
});
