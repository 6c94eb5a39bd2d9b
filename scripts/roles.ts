// Where each long-running role's code lives: its TypeScript composition root (run by tsx in
// development) and the JavaScript bundle `npm run build` compiles it to (run in production, by
// the demo and by the browser tests). scripts/server-build.ts writes the bundles.
import { existsSync } from "node:fs";
import path from "node:path";

export const ROLES = ["web", "processor", "scheduler", "alerter"] as const;
export type Role = (typeof ROLES)[number];

export const SERVER_DIST = "dist";

/** The role's composition root, relative to the repository root. */
export function roleSource(role: Role): string {
  return `server/${role}/main.ts`;
}

/** The compiled role, relative to the repository root (the source path under dist/, as .js). */
export function roleBundle(role: Role): string {
  return `${SERVER_DIST}/server/${role}/main.js`;
}

export class MissingBuildError extends Error {
  override name = "MissingBuildError";
}

/**
 * `node --enable-source-maps dist/server/<role>/main.js`, on the node running this process;
 * source maps make stack traces name the TypeScript lines.
 */
export function compiledRoleCommand(root: string, role: Role): [string, string[]] {
  const bundle = path.join(root, roleBundle(role));
  if (!existsSync(bundle)) {
    throw new MissingBuildError(`${roleBundle(role)} does not exist: run \`npm run build\` first`);
  }
  return [process.execPath, ["--enable-source-maps", bundle]];
}
