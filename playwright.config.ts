import { defineConfig } from "@playwright/test";

// Debian's Chromium, never a downloaded browser (ENVIRONMENT.md). The web and processor
// roles are started by e2e/global-setup.ts against their own database and NATS namespace.
export default defineConfig({
  testDir: "e2e",
  workers: 1,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  // One retry, reported: a test that passes only on its retry is counted as flaky in the
  // summary (scripts/test-results.ts) and its first failure stays in the report and trace.
  retries: 1,
  globalSetup: "./e2e/global-setup.ts",
  outputDir: ".data/test-results/e2e-artifacts",
  use: {
    browserName: "chromium",
    viewport: { width: 1440, height: 900 },
    trace: "retain-on-failure",
    // Signed in as an analyst unless a spec says otherwise (global-setup writes the file).
    storageState: ".data/e2e-auth/analyst.json",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
});
