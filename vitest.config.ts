import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/support/global-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Integration files share one set of services but use their own enterprise/topics; the crash and
    // outage tests are heavy, so files run one at a time on this 2-core machine.
    fileParallelism: false,
    reporters: ["default"],
  },
});
