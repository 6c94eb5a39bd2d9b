import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findAppDir } from "./app-dir";

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), "nowcast-appdir-"));
  await writeFile(path.join(root, "next.config.mjs"), "export default {};\n");
  await mkdir(path.join(root, "server", "web"), { recursive: true });
  await mkdir(path.join(root, "dist", "server", "web"), { recursive: true });
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe("findAppDir", () => {
  it("finds the project root from the source and from the compiled web role alike", () => {
    expect(findAppDir(path.join(root, "server", "web"))).toBe(root);
    expect(findAppDir(path.join(root, "dist", "server", "web"))).toBe(root);
    expect(findAppDir(root)).toBe(root);
  });

  it("names the directory it started from when there is no Next.js app above it", () => {
    const outside = path.join(os.tmpdir());
    expect(() => findAppDir(outside)).toThrow(`no next.config.mjs in ${outside} or any directory above it`);
  });
});
