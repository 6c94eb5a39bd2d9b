import { describe, expect, it } from "vitest";
import { formatFigure, type FigureFormat } from "./format";

describe("formatFigure never shows a negative zero, and keeps real minus signs", () => {
  it.each([
    [-0, "count", "0", -1234.4, "-1,234"],
    [-0, "ms", "0", -0.3, "-0.3"],
    [-0.04, "rate", "0", -0.06, "-0.1"],
    [-0.004, "amount", "0.00", -2.5, "-2.50"],
    [-0.00001, "percent", "0.00", -0.0001, "-0.01"],
  ] as [number, FigureFormat, string, number, string][])(
    "%d as %s reads %s (while %d reads %s)",
    (zeroish, format, text, negative, negativeText) => {
      expect(formatFigure(zeroish, format)).toBe(text);
      expect(formatFigure(negative, format)).toBe(negativeText);
    },
  );
});
