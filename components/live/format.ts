// "negative": no minus sign on a zero, so -0 or -0.04 at one decimal reads "0", not "-0".
const sign = { signDisplay: "negative" } as const;
const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0, ...sign });
const oneDecimal = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1, ...sign });
const twoDecimals = new Intl.NumberFormat("en-US", {
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
  ...sign,
});

export type FigureFormat = "rate" | "ms" | "percent" | "count" | "amount";

/** Display text of a figure; "—" where there is no value (no data is not zero). */
export function formatFigure(value: number | null, format: FigureFormat): string {
  if (value === null || !Number.isFinite(value)) return "—";
  switch (format) {
    case "rate":
      return value >= 100 ? integer.format(value) : oneDecimal.format(value);
    case "ms":
      return value >= 100 ? integer.format(value) : oneDecimal.format(value);
    case "percent":
      return `${twoDecimals.format(value * 100)}`;
    case "count":
      return integer.format(value);
    case "amount":
      return twoDecimals.format(value);
  }
}

export const clockTime = (t: number) => new Date(t).toISOString().slice(11, 19);

export function formatLag(ms: number | null): string {
  if (ms === null) return "no data yet";
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
  return `${Math.floor(ms / 3_600_000)} h ${Math.floor((ms % 3_600_000) / 60_000)} min`;
}
