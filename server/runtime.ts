import packageJson from "../package.json" with { type: "json" };

/**
 * The roles refuse an older Node.js than package.json `engines` names (docs/decisions/0024):
 * on an older one they would start and then fail later, far from the cause. npm scripts run
 * them on the runtime npm installed into node_modules/.bin; a bare `node dist/...` may not.
 */
export class UnsupportedRuntimeError extends Error {
  override name = "UnsupportedRuntimeError";
}

/** The X.Y.Z of an `engines.node` range written as `>=X.Y.Z`. */
export function minimumNodeVersion(range: string = packageJson.engines.node): string {
  const match = /^>=\s*(\d+\.\d+\.\d+)$/.exec(range.trim());
  if (!match?.[1])
    throw new UnsupportedRuntimeError(`package.json engines.node must be ">=X.Y.Z", not "${range}"`);
  return match[1];
}

/** True when `version` ("24.22.3" or "v24.22.3") is at least `minimum`. */
export function meetsMinimum(version: string, minimum: string): boolean {
  const have = version.replace(/^v/, "").split(".").map(Number);
  const need = minimum.split(".").map(Number);
  for (let i = 0; i < 3; i++) {
    const a = have[i] ?? 0;
    const b = need[i] ?? 0;
    if (!Number.isFinite(a)) return false;
    if (a !== b) return a > b;
  }
  return true;
}

export function assertSupportedRuntime(
  version: string = process.versions.node,
  execPath = process.execPath,
): void {
  const minimum = minimumNodeVersion();
  if (meetsMinimum(version, minimum)) return;
  throw new UnsupportedRuntimeError(
    `Nowcast needs Node.js >= ${minimum}, but ${execPath} is v${version.replace(/^v/, "")}: ` +
      "run it through npm (npm run start:<role> uses node_modules/.bin/node) or install Node.js " +
      `${minimum.split(".")[0]} LTS`,
  );
}
