import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

/**
 * The layers lint itself (eslint.layers.mjs, docs/decisions/0026): each deliberately broken
 * fixture under scripts/lint-fixtures is linted with the project's own config at the path it
 * stands for, and must be refused by the rule its first line names; the `ok-` ones must pass,
 * so a rule that refuses everything fails here too.
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const FIXTURES = path.join(ROOT, "scripts", "lint-fixtures");

interface Expectation {
  rule: string | null;
  message: string;
}

function expectationOf(text: string): Expectation {
  const first = text.split("\n", 1)[0] ?? "";
  const match = /^\/\/ expect: (\S+)\s*(.*)$/.exec(first);
  if (!match?.[1]) throw new Error(`fixture lacks its "// expect:" line: ${first}`);
  return match[1] === "nothing" ? { rule: null, message: "" } : { rule: match[1], message: match[2] ?? "" };
}

function fixtures(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return full.endsWith(`${path.sep}cycle`) ? [] : fixtures(full);
    return entry.name.endsWith(".ts") ? [full] : [];
  });
}

const eslint = new ESLint({ cwd: ROOT });
const layerFixtures = fixtures(FIXTURES).map((file) => path.relative(FIXTURES, file));

function assertVerdict(messages: ESLint.LintResult["messages"], expected: Expectation): void {
  const found = messages.map((m) => ({ rule: m.ruleId, message: m.message }));
  if (expected.rule === null) {
    expect(found).toEqual([]);
    return;
  }
  expect(found).toContainEqual({ rule: expected.rule, message: expect.stringContaining(expected.message) });
  // The layer rule and nothing else: the fixture is otherwise clean code.
  expect(found.every((m) => m.rule === expected.rule)).toBe(true);
}

describe("layer boundaries (npm run lint)", () => {
  it("has a fixture for every layer rule", () => {
    expect(layerFixtures.length).toBeGreaterThanOrEqual(10);
  });

  it.each(layerFixtures)("%s", { timeout: 60_000 }, async (relative) => {
    const text = readFileSync(path.join(FIXTURES, relative), "utf8");
    // Linted as the file it stands for: the real directory rules apply.
    const [result] = await eslint.lintText(text, { filePath: path.join(ROOT, relative) });
    if (!result) throw new Error("ESLint returned no result");
    assertVerdict(result.messages, expectationOf(text));
  });

  it("refuses an import cycle", { timeout: 60_000 }, async () => {
    const cycle = new ESLint({ cwd: ROOT, ignore: false });
    const results = await cycle.lintFiles([path.join(FIXTURES, "cycle", "*.ts")]);
    expect(results).toHaveLength(2);
    for (const result of results) {
      assertVerdict(result.messages, expectationOf(readFileSync(result.filePath, "utf8")));
    }
  });
});
