"use client";
// The "Connect a machine" page's last step: what has arrived from the machine since the page was
// opened — stored messages per channel, or the reason each refused one was dead-lettered — polled every 2 s.
import { useEffect, useState } from "react";

interface DeadLetter {
  receivedAt: string;
  topic: string;
  reason: string;
  bytes: number;
}

interface Activity {
  arrived: { channel: string; messages: number; ts: string; receivedAt: string }[];
  deadLetters: DeadLetter[];
  otherDeadLetters: DeadLetter[];
}

const time = (iso: string) => new Date(iso).toLocaleTimeString("en-GB");

export function ConnectLive({ machineKey, since }: { machineKey: string; since: number }) {
  const [a, setA] = useState<Activity | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let stopped = false;
    const poll = async () => {
      try {
        const res = await fetch(`/api/v1/admin/connect/${machineKey}?since=${since}`, { cache: "no-store" });
        const body = await res.json();
        if (stopped) return;
        if (!res.ok) setError(body?.error?.message ?? `HTTP ${res.status}`);
        else {
          setError(null);
          setA(body as Activity);
        }
      } catch (e) {
        if (!stopped) setError((e as Error).message);
      }
    };
    void poll();
    const t = setInterval(poll, 2000);
    return () => {
      stopped = true;
      clearInterval(t);
    };
  }, [machineKey, since]);

  const nothing = a && a.arrived.length === 0 && a.deadLetters.length === 0;
  return (
    <div data-testid="connect-live">
      {error ? <div className="banner">Cannot ask the server: {error}</div> : null}
      {!a || nothing ? (
        <p data-testid="connect-waiting">
          Waiting for the first message from <code>{machineKey}</code> since {time(new Date(since).toISOString())}… (checked every 2 s)
        </p>
      ) : null}
      {a && a.arrived.length > 0 ? (
        <table className="dl" data-testid="connect-arrived">
          <tbody>
            {a.arrived.map((x) => (
              <tr key={x.channel} data-testid={`arrived-${x.channel}`}>
                <th>{x.channel}</th>
                <td>
                  ✓ {x.messages} message{x.messages === 1 ? "" : "s"} stored; the latest received {time(x.receivedAt)} (device time{" "}
                  {new Date(x.ts).toISOString()})
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {a && a.deadLetters.length > 0 ? (
        <div data-testid="connect-dead-letters">
          <p>Refused (dead-lettered, nothing stored):</p>
          <ul>
            {a.deadLetters.map((d) => (
              <li key={`${d.receivedAt}${d.topic}${d.reason}`}>
                {time(d.receivedAt)} <code>{d.topic}</code> ({d.bytes} bytes): <b>{d.reason}</b>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {a && a.otherDeadLetters.length > 0 ? (
        <div className="muted small" data-testid="connect-other-dead-letters">
          Also refused since then, on other topics (a mistyped topic lands here):
          <ul>
            {a.otherDeadLetters.map((d) => (
              <li key={`${d.receivedAt}${d.topic}${d.reason}`}>
                {time(d.receivedAt)} <code>{d.topic}</code>: {d.reason}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}
