import { describe, expect, it } from "vitest";
import {
  countPlaywright,
  countVitest,
  exitCodeFor,
  formatTable,
  ReportFormatError,
  stepResult,
  summaryLine,
  totalOf,
} from "./test-results.ts";

// Trimmed from a real `vitest run --reporter=json` (vitest 4.1): one pass, one fail, one skip,
// one todo, one test skipped by a failing beforeAll, and a file whose import fails.
const vitestReport = {
  numTotalTestSuites: 3,
  numFailedTestSuites: 3,
  numTotalTests: 5,
  numPassedTests: 1,
  numFailedTests: 1,
  numPendingTests: 2,
  numTodoTests: 1,
  success: false,
  testResults: [
    {
      name: "/repo/a.test.ts",
      status: "failed",
      message: "",
      assertionResults: [
        { title: "passes", status: "passed" },
        { title: "fails", status: "failed" },
        { title: "skipped", status: "skipped" },
        { title: "todo", status: "todo" },
        { title: "in hook", status: "skipped" },
      ],
    },
    {
      name: "/repo/b.test.ts",
      status: "failed",
      message:
        "\u001b[31mCannot find module './does-not-exist' imported from /repo/b.test.ts\u001b[39m\n    at x",
      assertionResults: [],
    },
  ],
};

// From a real `playwright test --reporter=list,json` (1.65) with retries: 1.
const playwrightReport = {
  stats: {
    startTime: "2026-11-25T10:42:45.894Z",
    duration: 4480.5,
    expected: 1,
    skipped: 1,
    unexpected: 1,
    flaky: 1,
  },
  errors: [],
};

describe("countVitest", () => {
  it("counts tests, and a file that failed outside its tests as one failure", () => {
    const counts = countVitest(vitestReport);
    expect(counts).toMatchObject({ passed: 1, failed: 2, skipped: 3, flaky: 0 });
    expect(counts.problems).toEqual([
      "/repo/b.test.ts failed outside its tests: Cannot find module './does-not-exist' imported from /repo/b.test.ts",
    ]);
  });

  it("a clean run", () => {
    const clean = {
      numPassedTests: 7,
      numFailedTests: 0,
      numPendingTests: 0,
      numTodoTests: 0,
      testResults: [],
    };
    expect(countVitest(clean)).toMatchObject({ passed: 7, failed: 0, skipped: 0, problems: [] });
  });

  it("refuses something that is not a vitest report", () => {
    expect(() => countVitest({ stats: {} })).toThrow(ReportFormatError);
    expect(() => countVitest(null)).toThrow(ReportFormatError);
    expect(() => countVitest({ numPassedTests: "3", numFailedTests: 0, numPendingTests: 0 })).toThrow(
      /numPassedTests/,
    );
  });
});

describe("countPlaywright", () => {
  it("flaky counts as passed (and is reported), skipped separately", () => {
    expect(countPlaywright(playwrightReport)).toEqual({
      passed: 2,
      failed: 1,
      skipped: 1,
      flaky: 1,
      problems: [],
    });
  });

  it("errors outside tests (a spec that does not load, global setup) are failures", () => {
    const report = {
      stats: { expected: 0, skipped: 0, unexpected: 0, flaky: 0 },
      errors: [{ message: "Error: Cannot find module '/repo/nope' imported from /repo/b.spec.ts\n  at …" }],
    };
    expect(countPlaywright(report)).toMatchObject({
      failed: 1,
      problems: ["error outside tests: Error: Cannot find module '/repo/nope' imported from /repo/b.spec.ts"],
    });
  });

  it("refuses a report without stats", () => {
    expect(() => countPlaywright({ suites: [] })).toThrow(ReportFormatError);
  });
});

describe("stepResult", () => {
  const clean = { passed: 3, failed: 0, skipped: 0, flaky: 0, problems: [] };

  it("no report: one failure named after the step", () => {
    expect(stepResult("integration", "exit code 1", false, null)).toMatchObject({
      step: "integration",
      passed: 0,
      failed: 1,
      problems: ["integration produced no results (exit code 1)"],
    });
  });

  it("a failing exit without failures in the report still fails once", () => {
    expect(stepResult("unit", "exit code 1", false, clean)).toMatchObject({ passed: 3, failed: 1 });
  });

  it("a clean report and a clean exit pass through; flaky is noted", () => {
    expect(stepResult("unit", "exit code 0", true, clean)).toMatchObject({ passed: 3, failed: 0, notes: [] });
    expect(stepResult("e2e", "exit code 0", true, { ...clean, flaky: 1 }).notes).toEqual([
      "1 flaky (passed on retry)",
    ]);
  });
});

describe("totals and the closing line", () => {
  const a = stepResult("unit", "exit code 0", true, {
    passed: 5,
    failed: 0,
    skipped: 2,
    flaky: 0,
    problems: [],
  });
  const b = stepResult("e2e", "exit code 1", false, {
    passed: 1,
    failed: 1,
    skipped: 0,
    flaky: 0,
    problems: [],
  });

  it("sums steps", () => {
    expect(totalOf([a, b])).toEqual({ passed: 6, failed: 1, skipped: 2 });
  });

  it("mentions skipped only when there are some", () => {
    expect(summaryLine({ passed: 6, failed: 1, skipped: 2 })).toBe("6 passed, 1 failed, 2 skipped");
    expect(summaryLine({ passed: 6, failed: 0, skipped: 0 })).toBe("6 passed, 0 failed");
  });

  it("succeeds only with no failure and at least one pass", () => {
    expect(exitCodeFor({ passed: 1, failed: 0, skipped: 0 })).toBe(0);
    expect(exitCodeFor({ passed: 0, failed: 0, skipped: 4 })).toBe(1);
    expect(exitCodeFor({ passed: 9, failed: 1, skipped: 0 })).toBe(1);
  });

  it("formats an aligned table", () => {
    expect(formatTable([a, b]).split("\n")).toEqual([
      "suite  passed  failed  skipped  notes",
      "unit        5       0        2",
      "e2e         1       1        0",
    ]);
  });
});
