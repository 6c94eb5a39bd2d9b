import { existsSync } from "node:fs";
import path from "node:path";

export class AppDirNotFoundError extends Error {
  override name = "AppDirNotFoundError";
}

/**
 * The directory Next.js serves: the nearest one at or above `from` with a next.config.mjs.
 * Found rather than counted, because the web role runs both from server/web/ (tsx, in
 * development) and from dist/server/web/ (compiled, in production), one level deeper.
 */
export function findAppDir(from: string): string {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "next.config.mjs"))) return dir;
    if (path.dirname(dir) === dir) {
      throw new AppDirNotFoundError(`no next.config.mjs in ${from} or any directory above it`);
    }
  }
}
