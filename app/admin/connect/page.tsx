import { connectGuide, deviceAccount } from "#lib/features/admin/connect.ts";
import { db, machines } from "#lib/features/dashboard/context.ts";
import { allowed } from "#lib/features/dashboard/page-auth.ts";
import { config } from "#lib/platform/config.ts";
import { ConnectLive } from "../../components/connect-live.tsx";
import { CopyButton } from "../../components/copy-button.tsx";
import { DeviceAccount } from "../../components/device-account.tsx";
import { Forbidden } from "../../components/forbidden.tsx";

export const dynamic = "force-dynamic";

export default async function ConnectPage({ searchParams }: { searchParams: Promise<{ machine?: string }> }) {
  const { ok } = await allowed("/admin/connect", "admin");
  if (!ok) return <Forbidden what="connecting machines" />;
  const fleet = await machines();
  const asked = (await searchParams).machine;
  const m = fleet.find((x) => x.key === asked) ?? (asked ? undefined : fleet[0]);
  const cfg = config();
  const multiSite = cfg.ANDON_TOPOLOGY === "multi-site";
  const device = m && multiSite ? await deviceAccount(db(), m) : null;
  const guide = m
    ? connectGuide(
        cfg,
        m,
        fleet.map((x) => x.path),
        device,
      )
    : undefined;
  return (
    <>
      <h1>Connect a machine</h1>
      <div className="sub">
        What to give whoever wires a machine (or its gateway, PLC or edge device) to Andon: the broker, the exact topics, a valid message for each channel and a
        command that sends it. Then watch its first messages arrive here, or why they were refused. The full contract is in docs/mqtt.md.
      </div>
      <div className="card connect-step">
        <h2>1. The machine</h2>
        <form method="get" className="connect-pick">
          <select name="machine" defaultValue={m?.key} aria-label="Machine">
            {fleet.map((x) => (
              <option key={x.key} value={x.key}>
                {x.siteName ?? x.site} / {x.lineName ?? x.line} / {x.name} ({x.key})
              </option>
            ))}
          </select>
          <button type="submit" className="button">
            Show
          </button>
          <span className="muted small">
            Not in the list? <a href="/admin/assets">Add it to a line under Assets</a>: its topics exist as soon as it is saved.
          </span>
        </form>
        {asked && !m ? (
          <div className="banner" data-testid="connect-unknown">
            No machine {asked} in the asset model.
          </div>
        ) : null}
      </div>
      {guide ? (
        <>
          <div className="card connect-step">
            <h2>2. The broker</h2>
            <table className="dl">
              <tbody>
                <tr>
                  <th>Address</th>
                  <td data-testid="connect-broker">
                    {guide.broker.tls ? "mqtts" : "mqtt"}://{guide.broker.host}:{guide.broker.port} · MQTT 5 (3.1.1 works for telemetry) · QoS 1
                  </td>
                </tr>
                <tr>
                  <th>Log in</th>
                  <td data-testid="connect-login">
                    {guide.broker.login.text}
                    {multiSite && cfg.BROKER_CLIENT_AUTH === "password" ? <DeviceAccount machineKey={guide.machine.key} exists={device !== null} /> : null}
                  </td>
                </tr>
                {guide.broker.caFile ? (
                  <tr>
                    <th>TLS</th>
                    <td>The broker's certificate is signed by Andon's CA: {guide.broker.caFile} on the Andon host.</td>
                  </tr>
                ) : null}
              </tbody>
            </table>
          </div>
          <div className="card connect-step">
            <h2>
              3. Topics and messages <small>{guide.machine.key}</small>
            </h2>
            <p className="muted small">
              Timestamps are the device's own (ISO 8601 with an offset, or epoch milliseconds): Andon stores each message once by them, so a message sent again
              after a reconnect is not counted twice. Each command below sends the example with the current time.
            </p>
            {guide.publish.map((p) => (
              <div key={p.channel} className="connect-channel" data-testid={`channel-${p.channel}`}>
                <div>
                  <b>{p.channel}</b> → <code>{p.topic}</code> <span className="muted small">{p.what}</span>
                </div>
                <pre className="connect-code">{p.example}</pre>
                <div className="connect-cmd">
                  <pre className="connect-code" data-testid={`pub-${p.channel}`}>
                    {p.command}
                  </pre>
                  <CopyButton text={p.command} />
                </div>
              </div>
            ))}
            <p className="small">
              Commands to the machine arrive on <code>{guide.commands.topic}</code> (MQTT 5 requests with a response topic and correlation data); it answers on{" "}
              <code>{guide.commands.responseTopic}</code> (docs/mqtt.md "Commands").
            </p>
          </div>
          <div className="card connect-step">
            <h2>4. Its first messages</h2>
            <ConnectLive machineKey={guide.machine.key} since={Date.now()} />
          </div>
        </>
      ) : null}
    </>
  );
}
