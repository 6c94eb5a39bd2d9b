import type {
  BreakdownResponse,
  BreakdownRow,
  SeriesPoint,
  SeriesResponse,
  Step,
} from "../../contract/history";
import type { MetricDefinition } from "../../contract/metrics";
import { formatInZone, offsetReader } from "./buckets";
import { figures, mergeRows, topGroups, type StoredRow } from "./merge";

/** Everything a series or breakdown answer is computed from (no I/O, no clock). */
export interface HistoryInput {
  definition: MetricDefinition;
  tz: string;
  /** Bucket boundaries (a breakdown has one bucket: [from, to)). */
  boundaries: readonly number[];
  rows: Iterable<StoredRow>;
  /** Watermark of the stream, or null before the first event. */
  watermark: number | null;
  /** Top-N groups kept when grouped. */
  limit: number;
  /** Too-late events stored in the range and not yet folded in by reconciliation. */
  pendingTooLate: number;
}

function rangeInfo(input: HistoryInput) {
  const { boundaries, tz, watermark, definition } = input;
  const from = boundaries[0] ?? 0;
  const to = boundaries[boundaries.length - 1] ?? from;
  return {
    metric: definition.name,
    tz,
    from: formatInZone(from, tz),
    to: formatInZone(to, tz),
    watermark: watermark === null ? null : new Date(watermark).toISOString(),
    complete: watermark !== null && to <= watermark && input.pendingTooLate === 0,
    pendingTooLate: input.pendingTooLate,
    filter: definition.filter,
  };
}

/**
 * The series answer. Ungrouped input holds the all-groups rows (group key ''); grouped input
 * holds the per-group rows, reduced to the top N plus "(other)". Every bucket gets a point
 * per group, with count 0 where nothing happened.
 */
export function assembleSeries(input: HistoryInput & { step: Step; groupBy: string | null }): SeriesResponse {
  const { boundaries, tz, watermark, groupBy } = input;
  const merged = mergeRows(boundaries, input.rows);
  const { order, groups } = groupBy ? topGroups(merged, input.limit) : { order: [""], groups: merged };
  // Zone offsets are looked up once per boundary, not once per point.
  const offsetAt = offsetReader(tz);
  const labels = boundaries.map((b) => formatInZone(b, tz, offsetAt));
  const points: SeriesPoint[] = [];
  for (let i = 0; i + 1 < boundaries.length; i++) {
    const end = boundaries[i + 1] ?? 0;
    for (const group of order) {
      points.push({
        t: labels[i] ?? "",
        end: labels[i + 1] ?? "",
        ...(groupBy ? { group } : {}),
        ...figures(groups.get(group)?.[i], end, watermark),
      });
    }
  }
  return {
    ...rangeInfo(input),
    step: input.step,
    groupBy,
    groups: groupBy ? order : [],
    points,
  };
}

/** The breakdown answer: per-group rows (top N + "(other)") and the all-groups total. */
export function assembleBreakdown(
  input: HistoryInput & { by: string; totalRows: Iterable<StoredRow> },
): BreakdownResponse {
  const { boundaries, watermark } = input;
  const end = boundaries[boundaries.length - 1] ?? 0;
  const { order, groups } = topGroups(mergeRows(boundaries, input.rows), input.limit);
  const rows: BreakdownRow[] = order.map((group) => ({
    group,
    ...figures(groups.get(group)?.[0], end, watermark),
  }));
  const total = mergeRows(boundaries, input.totalRows).get("")?.[0];
  return { ...rangeInfo(input), by: input.by, rows, total: { group: "", ...figures(total, end, watermark) } };
}
