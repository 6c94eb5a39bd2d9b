import { describe, expect, it } from "vitest";
import { assertSupportedRuntime, meetsMinimum, minimumNodeVersion } from "./runtime";

describe("the roles' runtime check", () => {
  it("takes its minimum from package.json engines", () => {
    expect(minimumNodeVersion()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(minimumNodeVersion(">=24.22.3")).toBe("24.22.3");
    expect(() => minimumNodeVersion("^24")).toThrow('must be ">=X.Y.Z", not "^24"');
  });

  it.each([
    ["24.22.3", true],
    ["v24.22.3", true],
    ["24.22.10", true],
    ["26.13.1", true],
    ["24.22.2", false],
    ["24.3.0", false],
    ["20.20.2", false],
  ])("%s against 24.22.3: %s", (version, ok) => {
    expect(meetsMinimum(version, "24.22.3")).toBe(ok);
  });

  it("refuses Node 20 with the binary's path and what to do, and accepts this test's own runtime", () => {
    expect(() => assertSupportedRuntime("20.20.2", "/usr/bin/node")).toThrow(
      `Nowcast needs Node.js >= ${minimumNodeVersion()}, but /usr/bin/node is v20.20.2: run it through npm`,
    );
    expect(() => assertSupportedRuntime()).not.toThrow();
  });
});
