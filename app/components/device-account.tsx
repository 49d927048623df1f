"use client";

// "Connect a machine", multi-site topology: the machine's own account on its factory broker. The
// password is in the answer only (the server keeps its hash); the brokers take it within a minute.
import { useState } from "react";
import { postJson } from "./admin-post.ts";

type Made = { username: string; password: string; replaced: boolean; broker: { host: string; port: number }; effectiveWithinS: number };

export function DeviceAccount({ machineKey, exists }: { machineKey: string; exists: boolean }) {
  const [made, setMade] = useState<Made | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const make = async () => {
    if (exists && !made && !window.confirm("Make a new password? The machine's current one stops working within a minute.")) return;
    setBusy(true);
    setError(null);
    const r = await postJson<Made>(`/api/v1/admin/connect/${machineKey}/account`, {});
    setBusy(false);
    if (r.ok) setMade(r.data);
    else setError(r.message);
  };
  return (
    <div className="device-account">
      {made ? (
        <div className="banner ok" role="status" data-testid="device-account">
          {made.replaced ? "New password for" : "Account"} <b>{made.username}</b> on mqtts://{made.broker.host}:{made.broker.port}: password{" "}
          <code data-testid="device-password">{made.password}</code> — copy it into the device now; it is not shown again. The broker takes it within{" "}
          {made.effectiveWithinS} s. In the commands below, set <code>ANDON_GATEWAY_PASSWORD</code> to it and use <code>-u {made.username}</code>.
        </div>
      ) : null}
      {error ? (
        <div className="banner" role="alert">
          {error}
        </div>
      ) : null}
      <button type="button" className="button" disabled={busy} onClick={() => void make()} data-testid="make-device-account">
        {exists || made ? "Make a new password for this machine's account" : "Make this machine's own account"}
      </button>
    </div>
  );
}
