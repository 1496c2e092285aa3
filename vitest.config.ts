// Test runner settings: unit, integration (*.int.test.ts) and end-to-end (*.e2e.test.ts) tiers run together.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
  },
});
