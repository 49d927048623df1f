import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  poweredByHeader: false,
  // responses are gzipped by workers/web.ts (the same middleware as Next.js, at level 1)
  compress: false,
  // Server-side packages used as they are (native-ish or large), not bundled.
  serverExternalPackages: ["pg", "pino", "@prisma/adapter-pg", "@questdb/nodejs-client"],
  typescript: { ignoreBuildErrors: false },
};

export default nextConfig;
