import type pg from "pg";
import type { MetricDefinition, ValidEvent } from "../contract";
import { metricDeltas } from "../core/engine";
import { LIVE_BUCKET_MS, type LiveWindows } from "../core/live-windows";

const RECENT_EVENTS = `
SELECT id, type, (extract(epoch FROM ts) * 1000)::bigint AS ts, v, source, value, attrs
FROM raw_events
WHERE ts >= $1 AND NOT too_late AND (ts, id) > ($2, $3)
ORDER BY ts, id
LIMIT $4`;

interface Row {
  id: string;
  type: string;
  ts: number;
  v: number;
  source: string | null;
  value: number | null;
  attrs: ValidEvent["attrs"];
}

/**
 * Refills the in-memory 10 s tier after a restart from the stored raw events of its
 * retention, so live charts show no hole. Reads in pages to keep memory bounded.
 */
export async function rebuildLiveWindows(
  pool: Pick<pg.ClientBase, "query">,
  live: LiveWindows,
  definitions: readonly MetricDefinition[],
  watermark: number | null,
  pageSize = 5_000,
): Promise<number> {
  if (watermark === null) return 0;
  const from = new Date(watermark - live.options.retentionMs);
  let after: { ts: Date; id: string } = { ts: from, id: "" };
  let total = 0;
  for (;;) {
    const page = await pool.query<Row>(RECENT_EVENTS, [from, after.ts, after.id, pageSize]);
    const events = page.rows.map((row) => ({
      event: {
        id: row.id,
        type: row.type,
        ts: row.ts,
        v: row.v,
        attrs: row.attrs,
        ...(row.source === null ? {} : { source: row.source }),
        ...(row.value === null ? {} : { value: row.value }),
      },
      lateness: "on_time" as const,
    }));
    // No watermark while refilling: these buckets are not changes after the fact, so none of
    // them may be marked revised; states are judged against the watermark when read.
    live.apply(metricDeltas(definitions, events, LIVE_BUCKET_MS), null);
    total += events.length;
    const last = page.rows.at(-1);
    if (!last || page.rows.length < pageSize) return total;
    after = { ts: new Date(last.ts), id: last.id };
  }
}
