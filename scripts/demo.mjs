// `npm run demo`: installs what a fresh clone lacks (dependencies with the project's Node.js
// runtime), then runs scripts/demo.ts on that runtime (services, migrations, production
// build, web + processor + scheduler + simulator) until Ctrl-C.
import { bootstrap } from "./bootstrap.mjs";
import { runTypeScript } from "./run-child.mjs";

let runtime;
try {
  runtime = await bootstrap();
} catch (err) {
  console.error(`[demo] ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
process.exit(await runTypeScript(runtime, "scripts/demo.ts"));
