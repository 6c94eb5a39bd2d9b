import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkNextBuild, checkServerBuild } from "./next-build.ts";

let root: string;
const BUILT = new Date("2026-01-02T00:00:00Z");
const BEFORE = new Date("2026-01-01T00:00:00Z");
const AFTER = new Date("2026-01-03T00:00:00Z");

function file(rel: string, mtime: Date): void {
  const full = path.join(root, rel);
  mkdirSync(path.dirname(full), { recursive: true });
  writeFileSync(full, "x");
  utimesSync(full, mtime, mtime);
}

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), "next-build-test-"));
  file("app/page.tsx", BEFORE);
  file("server/web/main.ts", BEFORE);
  file("package-lock.json", BEFORE);
  file("next.config.mjs", BEFORE);
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe("checkNextBuild", () => {
  it("is stale without a build", async () => {
    expect(await checkNextBuild(root)).toEqual({ fresh: false, reason: "there is no production build yet" });
  });

  it("is fresh when BUILD_ID is newer than every input", async () => {
    file(".next/BUILD_ID", BUILT);
    expect((await checkNextBuild(root)).fresh).toBe(true);
  });

  it("names the first input changed since the build", async () => {
    file(".next/BUILD_ID", BUILT);
    file("components/Chart.tsx", AFTER);
    expect(await checkNextBuild(root)).toEqual({
      fresh: false,
      reason: `${path.join("components", "Chart.tsx")} changed since the last build`,
    });
  });

  it("notices top-level files such as package-lock.json", async () => {
    file(".next/BUILD_ID", BUILT);
    file("package-lock.json", AFTER);
    expect((await checkNextBuild(root)).fresh).toBe(false);
  });

  it("ignores server/generated, test files and missing optional inputs", async () => {
    file(".next/BUILD_ID", BUILT);
    file("server/generated/prisma/client.ts", AFTER);
    file("server/core/event-counts.test.ts", AFTER);
    file("components/Chart.test.tsx", AFTER);
    expect(await checkNextBuild(root)).toEqual({ fresh: true, reason: "the production build is up to date" });
  });

  it("accepts custom inputs and excludes", async () => {
    file(".next/BUILD_ID", BUILT);
    file("other/x.ts", AFTER);
    expect((await checkNextBuild(root, { inputs: ["other"] })).fresh).toBe(false);
    expect((await checkNextBuild(root, { inputs: ["other"], excludes: ["other"] })).fresh).toBe(true);
  });
});

describe("checkServerBuild (the compiled roles in dist/)", () => {
  it("is stale without a server build, even when the Next build is fresh", async () => {
    file(".next/BUILD_ID", BUILT);
    expect(await checkServerBuild(root)).toEqual({ fresh: false, reason: "there is no server build yet" });
  });

  it("is fresh when dist/BUILD_ID is newer than the server code", async () => {
    file("dist/BUILD_ID", BUILT);
    expect(await checkServerBuild(root)).toEqual({ fresh: true, reason: "the server build is up to date" });
  });

  it("counts the generated Prisma client, which the bundles contain, but not test files", async () => {
    file("dist/BUILD_ID", BUILT);
    file("server/core/event-counts.test.ts", AFTER);
    expect((await checkServerBuild(root)).fresh).toBe(true);
    file("server/generated/prisma/client.ts", AFTER);
    expect(await checkServerBuild(root)).toEqual({
      fresh: false,
      reason: `${path.join("server", "generated", "prisma", "client.ts")} changed since the last server build`,
    });
  });

  it("notices a change to the build script itself", async () => {
    file("dist/BUILD_ID", BUILT);
    file("scripts/server-build.ts", AFTER);
    expect((await checkServerBuild(root)).fresh).toBe(false);
  });
});
