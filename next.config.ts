import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  poweredByHeader: false,
  // Server-side packages used as they are (native-ish or large), not bundled.
  serverExternalPackages: ["pg", "pino", "@prisma/adapter-pg", "@questdb/nodejs-client"],
  typescript: { ignoreBuildErrors: false },
};

export default nextConfig;
