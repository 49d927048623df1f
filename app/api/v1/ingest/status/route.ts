import { NextResponse } from "next/server";
import { ingestStatus } from "../../../../../lib/web/ingest-status.ts";

export const dynamic = "force-dynamic";

export async function GET() {
  return NextResponse.json(await ingestStatus(), { headers: { "cache-control": "no-store" } });
}
