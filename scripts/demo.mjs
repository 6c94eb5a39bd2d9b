// `npm run demo`: installs what a fresh clone lacks, then runs scripts/demo.ts (services,
// migrations, production build, web + processor + simulator) until Ctrl-C.
import { bootstrap } from "./bootstrap.mjs";
import { runTypeScript } from "./run-child.mjs";

try {
  await bootstrap();
} catch (err) {
  console.error(`[demo] ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
process.exit(await runTypeScript("scripts/demo.ts"));
