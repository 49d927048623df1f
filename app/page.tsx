import { ingestStatus } from "../lib/web/ingest-status.ts";
import { IngestBoard } from "./components/ingest-board.tsx";

export const dynamic = "force-dynamic";

export default async function Home() {
  const initial = await ingestStatus();
  return (
    <>
      <h1>Live ingest</h1>
      <div className="sub">Telemetry arriving over MQTT and stored in QuestDB, per site and machine. Updates every 2 seconds.</div>
      <IngestBoard initial={initial} />
    </>
  );
}
