import { defineConfig } from "vitest/config";

/** One fixed fast-check seed for every property test, NOWCAST_FC_SEED to override. */
const FAST_CHECK_SETUP = "server/testing/fast-check-setup.ts";

// Two projects: `unit` (pure code, in-memory twins) and `integration`
// (real Postgres and NATS; files named *.int.test.ts).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["server/**/*.test.ts", "scripts/**/*.test.ts", "components/**/*.test.{ts,tsx}"],
          exclude: ["**/*.int.test.ts", "node_modules/**"],
          environment: "node",
          setupFiles: [FAST_CHECK_SETUP],
        },
      },
      {
        test: {
          name: "integration",
          include: ["server/**/*.int.test.ts", "scripts/**/*.int.test.ts"],
          environment: "node",
          setupFiles: [FAST_CHECK_SETUP],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // Each file uses its own database and NATS namespace; keep CPU contention low on 2 cores.
          fileParallelism: false,
        },
      },
    ],
  },
});
