import type pg from "pg";
import { SNAPSHOT_SPAN_MS, type MetricBucket, type MetricDefinition } from "../contract";
import { summarize } from "../core/aggregate-state";
import { bucketStatus } from "../core/engine";
import { MINUTE_MS } from "../core/time";
import { LIVE_BUCKET_MS, LiveWindows } from "../core/live-windows";
import type { ConsumerMark, LiveSeed } from "../core/live-store";
import { inTransaction } from "./clients";
import { rebuildLiveWindows } from "./live-rebuild";
import { stateFromRow, type StoredStateColumns } from "./rollup-store";

const CHECKPOINTS = `
SELECT consumer, batch_seq, events_total, too_late_total,
       (extract(epoch FROM max_event_time) * 1000)::bigint AS max_event_time
FROM consumer_checkpoints`;

const MINUTE_ROWS = `
SELECT metric, (extract(epoch FROM bucket_start) * 1000)::bigint AS bucket, group_key,
       count, sum, min, max, quantiles, distinct_sketch, revisions
FROM metric_rollups
WHERE resolution = '1m' AND bucket_start >= $1 AND metric = ANY($2::text[])`;

interface CheckpointRow {
  consumer: string;
  batch_seq: number;
  events_total: number;
  too_late_total: number;
  max_event_time: number | null;
}
interface MinuteRow extends StoredStateColumns {
  metric: string;
  bucket: number;
  group_key: string;
  revisions: number;
}

/**
 * Reads where the live view starts after a web (re)start, in one REPEATABLE READ snapshot:
 * the consumer checkpoints, the 1 min rollups of the last 3 h, and the 10 s tier rebuilt from
 * the raw events of the last 15 min (the same computation as the processor's). Batches
 * published after these checkpoints are applied on top by sequence number.
 */
export async function readLiveSeed(
  pool: pg.Pool,
  definitions: readonly MetricDefinition[],
  outOfOrdernessMs: number,
  /** The reader's clock: a stored clock ahead of it is bounded by it (docs/decisions/0019). */
  now: number = Date.now(),
): Promise<LiveSeed> {
  return inTransaction(
    pool,
    async (client) => {
      const checkpoints = await client.query<CheckpointRow>(CHECKPOINTS);
      const consumers: Record<string, ConsumerMark> = {};
      let maxEventTime: number | null = null;
      for (const row of checkpoints.rows) {
        const high = row.max_event_time === null ? null : Math.min(row.max_event_time, now);
        const watermark = high === null ? null : high - outOfOrdernessMs;
        consumers[row.consumer] = {
          batchSeq: row.batch_seq,
          total: row.events_total,
          tooLateTotal: row.too_late_total,
          watermark,
        };
        if (high !== null) maxEventTime = Math.max(maxEventTime ?? 0, high);
      }
      if (maxEventTime === null) return { consumers, buckets: [] };
      const watermark = maxEventTime - outOfOrdernessMs;
      const names = definitions.map((d) => d.name);
      const minutes = await client.query<MinuteRow>(MINUTE_ROWS, [
        new Date(watermark - SNAPSHOT_SPAN_MS["1m"] - MINUTE_MS),
        names,
      ]);
      const buckets: MetricBucket[] = minutes.rows.map((row) => ({
        metric: row.metric,
        resolution: "1m",
        bucketStart: row.bucket,
        groupKey: row.group_key,
        state: bucketStatus(row.bucket, MINUTE_MS, watermark, row.revisions > 0),
        summary: summarize(stateFromRow(row)),
      }));
      const live = new LiveWindows();
      await rebuildLiveWindows(client, live, definitions, watermark);
      for (const name of names) {
        for (const b of live.buckets(name, watermark - SNAPSHOT_SPAN_MS["10s"] - LIVE_BUCKET_MS, watermark)) {
          buckets.push({
            metric: b.metric,
            resolution: "10s",
            bucketStart: b.bucketStart,
            groupKey: b.groupKey,
            state: b.status,
            summary: summarize(b.state),
          });
        }
      }
      return { consumers, buckets };
    },
    "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
  );
}
