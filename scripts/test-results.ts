// Turns the runners' machine-readable reports (Vitest's and Playwright's JSON) into totals,
// and totals into the closing line CI reads: `N passed, N failed[, N skipped]`.

export interface Counts {
  passed: number;
  failed: number;
  skipped: number;
  /** Passed on retry (Playwright); already included in `passed`. */
  flaky: number;
  /** Names or reasons of failures that are not individual test cases (e.g. a file that did not load). */
  problems: string[];
}

export interface StepResult extends Counts {
  step: string;
  /** Short remarks for the table: "up to date", "crashed (exit code 1)", … */
  notes: string[];
}

export class ReportFormatError extends Error {
  override name = "ReportFormatError";
}

function num(obj: Record<string, unknown>, key: string, where: string): number {
  const value = obj[key];
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new ReportFormatError(`${where}: "${key}" is not a count (${JSON.stringify(value)})`);
  }
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Vitest's JSON reporter. A test file that fails to load (syntax error, failing import,
 * failing beforeAll) has status "failed" with no failed test in it: counted as one failure.
 */
export function countVitest(report: unknown): Counts {
  if (!isRecord(report)) throw new ReportFormatError("vitest report: not a JSON object");
  const where = "vitest report";
  const counts: Counts = {
    passed: num(report, "numPassedTests", where),
    failed: num(report, "numFailedTests", where),
    skipped:
      num(report, "numPendingTests", where) +
      (typeof report.numTodoTests === "number" ? report.numTodoTests : 0),
    flaky: 0,
    problems: [],
  };
  const files = Array.isArray(report.testResults) ? report.testResults : [];
  for (const file of files) {
    if (!isRecord(file) || file.status !== "failed") continue;
    const assertions = Array.isArray(file.assertionResults) ? file.assertionResults : [];
    const anyTestFailed = assertions.some((a) => isRecord(a) && a.status === "failed");
    if (!anyTestFailed) {
      counts.failed += 1;
      const name = typeof file.name === "string" ? file.name : "a test file";
      const message =
        typeof file.message === "string" && file.message !== "" ? `: ${firstLine(file.message)}` : "";
      counts.problems.push(`${name} failed outside its tests${message}`);
    }
  }
  return counts;
}

/**
 * Playwright's JSON reporter: stats.expected passed, stats.unexpected failed, stats.flaky
 * passed on retry (counted as passed), stats.skipped. Errors outside tests (global setup,
 * a spec file that does not load) are listed in `errors`; each counts as one failure.
 */
export function countPlaywright(report: unknown): Counts {
  if (!isRecord(report) || !isRecord(report.stats)) {
    throw new ReportFormatError('playwright report: no "stats" object');
  }
  const where = "playwright report stats";
  const stats = report.stats;
  const flaky = num(stats, "flaky", where);
  const errors = Array.isArray(report.errors) ? report.errors : [];
  return {
    passed: num(stats, "expected", where) + flaky,
    failed: num(stats, "unexpected", where) + errors.length,
    skipped: num(stats, "skipped", where),
    flaky,
    problems: errors.map(
      (e) =>
        `error outside tests: ${firstLine(isRecord(e) && typeof e.message === "string" ? e.message : JSON.stringify(e))}`,
    ),
  };
}

function firstLine(text: string): string {
  // Reports keep terminal colours in messages.
  // eslint-disable-next-line no-control-regex
  const plain = text.replace(/\u001b\[[0-9;]*m/g, "");
  return (
    plain
      .split("\n")
      .find((l) => l.trim() !== "")
      ?.trim() ?? ""
  );
}

/**
 * Combines a runner's exit code with its report. No report means the step crashed: one
 * failure named after the step. A non-zero exit with no failure in the report (unhandled
 * error, "no tests found", …) is also one failure, so it cannot pass silently.
 */
export function stepResult(
  step: string,
  exitDescription: string,
  exitOk: boolean,
  counts: Counts | null,
): StepResult {
  if (counts === null) {
    return {
      step,
      passed: 0,
      failed: 1,
      skipped: 0,
      flaky: 0,
      problems: [`${step} produced no results (${exitDescription})`],
      notes: [`crashed without results (${exitDescription})`],
    };
  }
  const result: StepResult = { step, ...counts, problems: [...counts.problems], notes: [] };
  if (!exitOk && counts.failed === 0) {
    result.failed = 1;
    result.problems.push(`${step} reported no failing test but ended with ${exitDescription}`);
    result.notes.push(`runner failed (${exitDescription})`);
  }
  if (counts.flaky > 0) result.notes.push(`${counts.flaky} flaky (passed on retry)`);
  return result;
}

export interface Totals {
  passed: number;
  failed: number;
  skipped: number;
}

export function totalOf(results: readonly StepResult[]): Totals {
  return results.reduce(
    (t, r) => ({ passed: t.passed + r.passed, failed: t.failed + r.failed, skipped: t.skipped + r.skipped }),
    { passed: 0, failed: 0, skipped: 0 },
  );
}

/** The closing line CI reads. */
export function summaryLine(totals: Totals): string {
  const line = `${totals.passed} passed, ${totals.failed} failed`;
  return totals.skipped > 0 ? `${line}, ${totals.skipped} skipped` : line;
}

/** Success needs at least one passing test: an empty run proves nothing. */
export function exitCodeFor(totals: Totals): number {
  return totals.failed === 0 && totals.passed > 0 ? 0 : 1;
}

export function formatTable(results: readonly StepResult[]): string {
  const header = ["suite", "passed", "failed", "skipped", "notes"];
  const rows = results.map((r) => [
    r.step,
    String(r.passed),
    String(r.failed),
    String(r.skipped),
    r.notes.join("; "),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? "").length)));
  const format = (cells: string[]): string =>
    cells
      .map((cell, i) => (i >= 1 && i <= 3 ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [format(header), ...rows.map(format)].join("\n");
}
