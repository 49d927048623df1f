import { plantShiftGet } from "#lib/features/dashboard/hot-routes.ts";

export const dynamic = "force-dynamic";

// also answered by workers/web.ts before Next.js (lib/features/dashboard/direct.ts): one handler for both
export const GET = plantShiftGet;
