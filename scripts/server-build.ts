// Compiles the long-running roles (web, processor, scheduler, alerter) to JavaScript in dist/, so
// production runs plain `node` on them instead of transpiling TypeScript at start-up with tsx.
// One bundle per role with esbuild: our own code (including the generated Prisma client) is
// bundled, packages stay in node_modules. `npm run build` runs it after `next build`;
// `tsx scripts/server-build.ts` runs it alone.
import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { ROLES, roleSource, SERVER_DIST } from "./roles.ts";

/** Written last: the build is complete and as new as this file (see next-build.ts). */
export const SERVER_BUILD_STAMP = `${SERVER_DIST}/BUILD_ID`;

/** Everything the bundles are made from; the generated client is bundled, so it counts. */
export const SERVER_BUILD_INPUTS = [
  "server",
  "scripts/server-build.ts",
  "scripts/roles.ts",
  "tsconfig.json",
  "package-lock.json",
];

export class ServerBuildError extends Error {
  override name = "ServerBuildError";
}

/** Rebuilds dist/ from scratch (a removed source file must not leave a stale bundle). */
export async function buildServer(root: string): Promise<void> {
  const outdir = path.join(root, SERVER_DIST);
  await rm(outdir, { recursive: true, force: true });
  try {
    await build({
      absWorkingDir: root,
      entryPoints: ROLES.map(roleSource),
      outdir,
      outbase: ".",
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node24",
      packages: "external",
      sourcemap: true,
      logLevel: "warning",
    });
  } catch (error) {
    throw new ServerBuildError(`esbuild could not compile the roles (its messages are above)`, {
      cause: error,
    });
  }
  await writeFile(path.join(root, SERVER_BUILD_STAMP), `${new Date().toISOString()}\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
  const started = Date.now();
  buildServer(root).then(
    () =>
      console.log(
        `server build: ${ROLES.map((r) => `${SERVER_DIST}/server/${r}/main.js`).join(", ")} (${Date.now() - started} ms)`,
      ),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exit(1);
    },
  );
}
