// What each setting means, as `andon config` prints it and the README's settings table says.
import type { Config } from "./config.ts";

export const CONFIG_DOCS: Record<keyof Config, string> = {
  ANDON_HOME: "Folder for Andon's own state: the QuestDB jar and data, local service data, logs, generated secrets (git-ignored).",
  LOG_LEVEL: "pino log level.",
  DATABASE_URL: "PostgreSQL for the asset model, users, alerts, commands (Prisma).",
  REDIS_URL: "Redis for BullMQ queues. Run it with `maxmemory-policy noeviction`.",
  REDIS_CLUSTER_NODES:
    "A Redis Cluster instead of one server: comma-separated `host:port` seed nodes (e.g. `10.0.0.5:7001,10.0.0.6:7002`). REDIS_URL then gives only the credentials and TLS (`rediss://`). Every Andon key sits in QUEUE_PREFIX's slot (docs/deployment.md).",
  MQTT_URL: "The central MQTT broker (MQTT 5). `mqtts://` for TLS.",
  MQTT_USERNAME: "Broker user name.",
  MQTT_PASSWORD: "Broker password (never logged).",
  MQTT_CA_FILE: "PEM CA bundle that signs the broker's certificate.",
  MQTT_CERT_FILE: "PEM client certificate for X.509 client authentication.",
  MQTT_KEY_FILE: "PEM private key of the client certificate.",
  MQTT_TLS_REJECT_UNAUTHORIZED: "Check the broker's certificate (leave `true` outside experiments).",
  QUESTDB_HTTP_URL: "QuestDB HTTP endpoint: ILP over HTTP writes and `/exec` DDL.",
  QUESTDB_PG_URL: "QuestDB PostgreSQL-wire endpoint for queries.",
  QUESTDB_PG_PASSWORD: "Password for QUESTDB_PG_URL; for the QuestDB Andon runs itself a random one is generated into `$ANDON_HOME/andon.env`.",
  QUESTDB_ILP_PORT:
    "ILP-over-TCP port of the QuestDB Andon runs itself (127.0.0.1; Andon writes over HTTP, this is for other writers). Its HTTP and PG-wire ports are those of QUESTDB_HTTP_URL and QUESTDB_PG_URL.",
  QUESTDB_HEALTH_PORT: "Health-check (minimal HTTP) port of the QuestDB Andon runs itself (127.0.0.1).",
  QUESTDB_VERSION: "Version of `org.questdb:questdb` that set-up fetches from Maven Central (pinned).",
  QUESTDB_JAVA_HOME: "JDK used to run QuestDB (default: the `java` on PATH; a 9.4+ version needs Java 25).",
  INGEST_SHARE_GROUP: "Shared-subscription group: every worker in it shares the telemetry load.",
  INGEST_CLIENT_ID: "MQTT client id of this worker: unique per worker and stable across its restarts (its persistent session).",
  INGEST_ENTERPRISE: "Only this enterprise's telemetry (its topic subtree); `+` for every enterprise on the broker.",
  INGEST_SESSION_EXPIRY_S: "MQTT 5 session expiry: how long the broker keeps a stopped worker's queue.",
  INGEST_RECEIVE_MAXIMUM: "MQTT 5 receive maximum: messages in flight to a worker (not yet durable). Bounds its memory.",
  INGEST_BATCH_ROWS: "A batch is written to QuestDB when it holds this many rows ...",
  INGEST_BATCH_BYTES: "... or about this many bytes (an upper estimate of the ILP request; one larger message goes alone) ...",
  INGEST_FLUSH_MS: "... or when its oldest row is this old (ms).",
  INGEST_MAX_HELD_BYTES:
    "The worker stops reading from the broker while the messages it holds (not yet durable) take about this many bytes. `andon up` gives the worker a V8 heap of this plus 80 MiB.",
  INGEST_MAX_FUTURE_S: "Event timestamps more than this far in the future are dead-lettered.",
  INGEST_MAX_AGE_S: "Event timestamps older than this are dead-lettered.",
  INGEST_ASSET_REFRESH_S: "How often the worker reloads the machine list from PostgreSQL.",
  INGEST_METRICS_PORT: "Port of the worker's Prometheus `/metrics` (0: a free port).",
  INGEST_SPARKPLUG_GROUPS:
    "Sparkplug B groups this worker is the host application for (`spBv1.0/<group>/#`, not shared: run it on one ingest worker; docs/mqtt.md, Sparkplug B). Empty: none. `andon broker config` grants the ingest account these groups.",
  INGEST_SPARKPLUG_HOST_ID:
    "The Sparkplug host id: the worker's STATE message is `spBv1.0/STATE/<id>` (retained, with a will; granted by `andon broker config`); its sessions are checkpointed under it.",
  INGEST_UMH: "Also take the United Manufacturing Hub's data model (`umh/v1/...`: `_historian` tags, `_analytics` state and product messages; docs/mqtt.md).",
  SIM_SEED: "Seed of the plant simulator: the same seed gives the same plant behaviour.",
  SIM_INTERVAL_MS: "Simulator tick per machine (ms); each tick publishes state changes, counts and vibration.",
  SIM_WAVEFORM_EVERY: "Every Nth tick, machines with a waveform sensor send a snapshot (0: never).",
  SIM_DEGRADE: "Comma-separated machine paths (site/area/line/machine) whose bearing degrades to failure over hours.",
  SIM_DEMO_DEGRADE:
    "`andon up` only, when SIM_DEGRADE is empty: the demo's accelerated bearing degradation (`site/area/line/machine:hours`; its zone C alert comes about 8 minutes after the start). `none`: every machine healthy.",
  SIM_HISTORY_DAYS:
    "`andon up` only, on the first start (no history.json in ANDON_HOME): this many days of simulated history published before the live simulator starts (0: none).",
  SIM_HISTORY_STEP_S: "The history's simulator tick (s): state changes and counts this often, vibration every second tick.",
  SIM_HISTORY_DEGRADE: "A bearing that degrades in the history (`site/area/line/machine:hours` from its start; fails, then is replaced). `none`: none.",
  SIM_METRICS_PORT: "Port of the simulator's Prometheus `/metrics` (0: a free port).",
  SIM_OFFLINE:
    "Comma-separated machine paths (site/area/line/machine[:minutes]) whose command link is down for that long after start (default: until stopped), to try command queuing and expiry.",
  SIM_SPARKPLUG_LINES:
    "Lines (`site/area/line`, enterprise optional, comma-separated) whose machines speak Sparkplug B instead of Andon's JSON: one edge node per line, one device per machine (docs/mqtt.md, Sparkplug B).",
  SIM_SPARKPLUG_GROUP: "The Sparkplug group of the simulated edge nodes (give it to the ingest worker's INGEST_SPARKPLUG_GROUPS).",
  SIM_CONTINUE_FROM:
    "Set by `andon up` on the start that filled the demo's history: where it ended (ISO 8601). The simulator publishes the machines' ticks from there to the clock first (at most 15 min), so no minutes are left without data between the past and the present.",
  COMMAND_CLIENT_ID:
    "MQTT client id of the command service: stable across restarts, so the broker keeps answers that arrive while it is down (persistent session).",
  COMMAND_TICK_MS: "How often the command service checks expiries and timeouts (it also wakes at once when a command is queued).",
  COMMAND_ANSWER_GRACE_S:
    "How long after a sent command's expiry the service still waits for the machine's answer (in transit) before it calls the command expired.",
  QUEUE_PREFIX: "BullMQ key prefix, a Redis hash tag so each queue stays in one Redis Cluster slot.",
  OEE_METRICS_PORT: "Port of the OEE worker's Prometheus `/metrics`: how far each granularity's roll-up got (0: a free port).",
  OEE_JOB_LOCK_MS: "How long an OEE job's lock lasts without renewal; a job of a killed worker runs again after this.",
  WEB_PORT: "Port of the Next.js dashboard (127.0.0.1).",
  WEB_SHARE_MS:
    "How long (ms) the dashboard server shares one computed answer of the overview and plant-page APIs among everyone allowed to see it (0: compute every request). Changes made through this server show at once; others within this time.",
  TRUSTED_PROXIES:
    "Reverse proxies in front of the dashboard (comma-separated IP addresses or CIDR blocks). Only a request arriving from one of them has its `X-Forwarded-For` read for the client address (sign-in throttling, audit log); default none: the address of the TCP peer.",
  WEB_IO_TIMEOUT_MS:
    "How long the dashboard server waits for the broker (publishing an alert change) or Redis (queueing a recompute) before it answers without it; a change already saved is never answered with an error.",
  ANDON_TOPOLOGY:
    "`single`: one broker at MQTT_URL. `multi-site`: `andon up` runs a central broker and one factory broker per site, bridged, locked down (docs/deployment.md).",
  ANDON_BROKER:
    "The broker `andon up` runs (single topology; `--broker` on the command line): `mosquitto` (one that answers at MQTT_URL is used, else a local one is started) or `hivemq` (Andon's own HiveMQ CE at MQTT_URL, a loopback port where nothing answers yet; needs a JDK and Maven; docs/deployment.md).",
  BROKER_GATEWAY_ACCOUNTS: "Generated gateway accounts: one per `site` or one per `machine`, each limited to its own topic subtree.",
  BROKER_CLIENT_AUTH: "How clients of the generated brokers authenticate: `password` (hashed by the broker) or `certificate` (X.509, the CN is the user name).",
  BROKER_BIND_HOST: "Address the generated brokers listen on (`0.0.0.0` for other hosts).",
  BROKER_CENTRAL_HOST: "Host name or IP address by which factories and services reach the central broker (put in its TLS certificate).",
  BROKER_CENTRAL_PORT: "TLS port of the central broker (multi-site).",
  BROKER_SITE_PORTS_FROM: "TLS port of the first factory broker; the others follow in site order (multi-site).",
  BROKER_MAX_QUEUED_MESSAGES: "Messages a broker queues per disconnected persistent session: sizes how long a bridge or an ingest worker may be cut off.",
  KAFKA_BROKERS: "Forward to Kafka: comma-separated `host:port` bootstrap brokers; set, `andon up` starts the forwarder.",
  KAFKA_TOPIC_PREFIX: "Prefix of the forwarder's topic names (`andon.telemetry.state`, ...).",
  KAFKA_CLIENT_ID: "Kafka client id of the forwarder.",
  FORWARD_BATCH_ROWS: "Rows the forwarder reads, sends and commits at once (its memory bound); a time window holding more is cut short.",
  FORWARD_SETTLE_MS:
    "The forwarder reads only rows stored at least this long ago: it must cover how long a write may take from the row's stored-at stamp to its commit (Andon's QuestDB writer gives up after 12 s) and clock differences between hosts.",
  FORWARD_POLL_MS: "How often the forwarder looks for new rows when it has caught up (ms).",
  FORWARD_METRICS_PORT: "Port of the forwarder's Prometheus `/metrics`: lag, records sent, errors (0: a free port).",
  SIM_SITES: "Comma-separated enterprise/site keys the simulator runs (empty: every site).",
};
