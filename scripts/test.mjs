// `npm test`: installs what a fresh clone lacks (dependencies with the project's Node.js
// runtime, Prisma client, Chromium for the e2e tests), then runs scripts/test-run.ts on that
// runtime, which starts the services and runs every suite. The last line of output is always
// `N passed, N failed`.
import { existsSync } from "node:fs";
import { aptInstall, canUseApt } from "./apt.mjs";
import { bootstrap } from "./bootstrap.mjs";
import { runTypeScript } from "./run-child.mjs";

// playwright.config.ts launches Debian's Chromium: `npx playwright install` cannot download here.
const CHROMIUM = "/usr/bin/chromium";

async function ensureChromium() {
  if (existsSync(CHROMIUM)) return;
  if (!canUseApt()) {
    throw new Error(
      `the e2e tests need Chromium at ${CHROMIUM}: install it (e.g. \`sudo apt-get install chromium\`) and run npm test again`,
    );
  }
  console.log(`[test] ${CHROMIUM} is missing: installing Debian's chromium with apt-get`);
  await aptInstall(["chromium"]);
  if (!existsSync(CHROMIUM)) {
    throw new Error(`apt-get installed chromium, but ${CHROMIUM} still does not exist`);
  }
}

let runtime;
try {
  runtime = await bootstrap();
  await ensureChromium();
} catch (err) {
  console.error(`[test] ${err instanceof Error ? err.message : String(err)}`);
  // CI reads the closing line: a setup failure is a failure, not a silent non-result.
  console.log("0 passed, 1 failed");
  process.exit(1);
}
process.exit(await runTypeScript(runtime, "scripts/test-run.ts"));
