-- Issue 10 (processor side): repairs of what earlier code could store wrongly.

-- 1. Coarse tiers off their UTC grid. Until this release retention and the reconciliation
--    planner truncated hours in the session's TimeZone, so a database whose `timezone` is a
--    half-hour zone got hour rows, periods and reconciled hours at :30, which the history
--    reader and day compaction counted besides the real ones. The 1m tier is the truth: the
--    misaligned rows go, and every aligned hour and day they overlapped is marked dirty, so
--    the scheduler recompacts it from its 1m rows (and reconciles again where too-late events
--    are not folded in; see too_late_hours below).
CREATE TEMP TABLE "misaligned_periods" ON COMMIT DROP AS
SELECT DISTINCT "resolution", "bucket_start" AS "start" FROM "metric_rollups"
WHERE ("resolution" = '1h' AND "bucket_start" <> date_trunc('hour', "bucket_start", 'UTC'))
   OR ("resolution" = '1d' AND "bucket_start" <> date_trunc('day', "bucket_start", 'UTC'))
UNION
SELECT "resolution", "period_start" FROM "rollup_periods"
WHERE ("resolution" = '1h' AND "period_start" <> date_trunc('hour', "period_start", 'UTC'))
   OR ("resolution" = '1d' AND "period_start" <> date_trunc('day', "period_start", 'UTC'))
UNION
SELECT '1h', "hour" FROM "reconciled_hours" WHERE "hour" <> date_trunc('hour', "hour", 'UTC');

-- Aligned periods that overlap a misaligned one ([start, start + 1 h or 24 h)): the hours a
-- misaligned hour touched (its reconciliation repaired their minutes, its row fed their day),
-- and the days any misaligned period touched.
WITH "spans" AS (
  SELECT "resolution", "start",
         "start" + CASE "resolution" WHEN '1h' THEN interval '1 hour' ELSE interval '24 hours' END AS "end"
  FROM "misaligned_periods"),
"overlapped" AS (
  SELECT '1h' AS "resolution", h AS "start" FROM "spans",
    generate_series(date_trunc('hour', "start", 'UTC'), "end" - interval '1 millisecond', interval '1 hour') AS h
  WHERE "spans"."resolution" = '1h'
  UNION
  SELECT '1d', d FROM "spans",
    generate_series(date_trunc('day', "start", 'UTC'), "end" - interval '1 millisecond', interval '24 hours') AS d)
UPDATE "rollup_periods" p SET "status" = 'dirty', "updated_at" = now()
FROM "overlapped" o
WHERE p."resolution" = o."resolution" AND p."period_start" = o."start" AND p."status" = 'compacted';

DELETE FROM "metric_rollups"
WHERE ("resolution" = '1h' AND "bucket_start" <> date_trunc('hour', "bucket_start", 'UTC'))
   OR ("resolution" = '1d' AND "bucket_start" <> date_trunc('day', "bucket_start", 'UTC'));
DELETE FROM "rollup_periods"
WHERE ("resolution" = '1h' AND "period_start" <> date_trunc('hour', "period_start", 'UTC'))
   OR ("resolution" = '1d' AND "period_start" <> date_trunc('day', "period_start", 'UTC'));
DELETE FROM "reconciled_hours" WHERE "hour" <> date_trunc('hour', "hour", 'UTC');

-- 2. The event-time clock never runs ahead of the processing clock any more (docs/decisions/0019):
--    a checkpoint that an event from the future moved past the wall clock is brought back.
UPDATE "consumer_checkpoints" SET "max_event_time" = now() WHERE "max_event_time" > now();

-- 3. Too-late events per UTC hour: how many are stored (the processor adds them in its batch
--    transaction) and how many the hour's latest reconciliation folded in. An hour with
--    stored > folded holds events that are in raw_events but not yet in the rollups: history
--    does not call a range complete (or cacheable) while one of its hours is such, and the
--    planner finds due hours through the partial index instead of scanning raw_events.
CREATE TABLE "too_late_hours" (
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "stored" INTEGER NOT NULL DEFAULT 0,
    "folded" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "too_late_hours_pkey" PRIMARY KEY ("hour")
);
CREATE INDEX "too_late_hours_pending_idx" ON "too_late_hours" ("hour") WHERE "stored" > "folded";

INSERT INTO "too_late_hours" ("hour", "stored", "folded")
SELECT date_trunc('hour', e."ts", 'UTC'), count(*), 0 FROM "raw_events" e WHERE e."too_late" GROUP BY 1;
UPDATE "too_late_hours" t SET "folded" = LEAST(r."too_late_seen", t."stored")
FROM "reconciled_hours" r WHERE r."hour" = t."hour";

-- 4. Ids of raw events that retention deleted, as a 128-bit hash (md5 as uuid, 16 bytes): the
--    raw insert skips them, so a re-sent old id stays a duplicate at any distance in time.
CREATE TABLE "retired_event_ids" (
    "id_hash" UUID NOT NULL,
    CONSTRAINT "retired_event_ids_pkey" PRIMARY KEY ("id_hash")
);
