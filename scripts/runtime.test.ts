import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  chooseRuntime,
  minimumFromRange,
  requiredNodeVersion,
  runtimeEnv,
  satisfies,
  withoutProjectBin,
} from "./runtime.mjs";

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** A project root with package.json engines and, optionally, node_modules/.bin/node. */
async function project(engines: string, withBin: boolean): Promise<string> {
  const root = await mkdtemp(path.join(os.tmpdir(), "nowcast-runtime-"));
  dirs.push(root);
  await writeFile(path.join(root, "package.json"), JSON.stringify({ engines: { node: engines } }));
  if (withBin) {
    await mkdir(path.join(root, "node_modules", ".bin"), { recursive: true });
    await symlink("/bin/true", path.join(root, "node_modules", ".bin", "node"));
  }
  return root;
}

describe("the runtime Nowcast runs on", () => {
  it(`this test run itself: Node.js ${process.version} (${process.execPath}) meets package.json engines`, () => {
    expect(satisfies(process.versions.node, requiredNodeVersion())).toBe(true);
  });

  it.each([
    ["24.22.3", "24.22.3", true],
    ["v24.22.3", "24.22.3", true],
    ["24.22.4", "24.22.3", true],
    ["24.23.0", "24.22.3", true],
    ["26.0.0", "24.22.3", true],
    ["24.22.2", "24.22.3", false],
    ["24.9.9", "24.22.3", false],
    ["20.20.2", "24.22.3", false],
    ["not-a-version", "24.22.3", false],
  ])("%s satisfies >= %s: %s", (version, minimum, expected) => {
    expect(satisfies(version, minimum)).toBe(expected);
  });

  it("reads only the >=X.Y.Z form of engines.node and says what it found otherwise", () => {
    expect(minimumFromRange(">=24.22.3")).toBe("24.22.3");
    expect(minimumFromRange(" >= 24.1.0 ")).toBe("24.1.0");
    expect(() => minimumFromRange("^24.22.3")).toThrow('must be ">=X.Y.Z", not "^24.22.3"');
  });

  it("prefers node_modules/.bin/node when npm installed a new enough one", async () => {
    const root = await project(">=24.22.3", true);
    const runtime = chooseRuntime({
      root,
      current: { execPath: "/usr/bin/node", version: "20.20.2" },
      probe: () => "24.22.3",
    });
    expect(runtime).toEqual({
      execPath: path.join(root, "node_modules", ".bin", "node"),
      version: "24.22.3",
      source: "node_modules",
    });
  });

  it("refuses an installed runtime that is too old or does not run, and says how to fix it", async () => {
    const root = await project(">=24.22.3", true);
    const current = { execPath: "/usr/bin/node", version: "26.13.1" };
    expect(() => chooseRuntime({ root, current, probe: () => "22.1.0" })).toThrow(
      "node_modules/.bin/node is v22.1.0, but Nowcast needs Node.js >= 24.22.3: delete node_modules",
    );
    expect(() => chooseRuntime({ root, current, probe: () => null })).toThrow(
      "node_modules/.bin/node does not run on this machine",
    );
  });

  it("falls back to the system's node only when it is new enough", async () => {
    const root = await project(">=24.22.3", false);
    const newEnough = { execPath: "/opt/node/bin/node", version: "24.23.0" };
    expect(chooseRuntime({ root, current: newEnough })).toEqual({ ...newEnough, source: "system" });
    expect(() => chooseRuntime({ root, current: { execPath: "/usr/bin/node", version: "20.20.2" } })).toThrow(
      "Nowcast needs Node.js >= 24.22.3 (package.json engines), but this is v20.20.2",
    );
  });

  it("puts the project's .bin first on PATH exactly once, and can take it off again", () => {
    const root = "/repo";
    const bin = path.join(root, "node_modules", ".bin");
    const env = { PATH: `${bin}:/usr/local/bin:/usr/bin`, HOME: "/root" };
    expect(runtimeEnv(env, root)).toEqual({ PATH: `${bin}:/usr/local/bin:/usr/bin`, HOME: "/root" });
    expect(runtimeEnv({ PATH: "/usr/bin" }, root).PATH).toBe(`${bin}:/usr/bin`);
    expect(runtimeEnv({}, root).PATH).toBe(bin);
    expect(withoutProjectBin(env, root).PATH).toBe("/usr/local/bin:/usr/bin");
  });
});
