-- Before values were bounded (docs/decisions/0016) a sum could overflow to ±Infinity or NaN,
-- and rows could hold values beyond ±(2^53 − 1), whose merge would overflow later (history
-- and compaction refuse that). Such 1-minute rows are repaired by reconciling their hours again from raw_events: the
-- engine no longer lets an out-of-bounds value feed a statistic, so the recomputed state is
-- finite, the repair is recorded as drift, and the hour's 1h/1d periods turn dirty and are
-- recompacted. Forgetting the hour's last reconciliation is what makes it due again (only
-- hours inside RECONCILE_WINDOW_DAYS are planned; older ones keep their rows as they are).
-- Comparisons are on timestamptz + interval '1 hour', independent of the session time zone;
-- in PostgreSQL NaN sorts above 'Infinity', so the range test catches NaN too.
DELETE FROM "reconciled_hours" h
WHERE EXISTS (
  SELECT 1 FROM "metric_rollups" r
  WHERE r."resolution" = '1m'
    AND r."bucket_start" >= h."hour" AND r."bucket_start" < h."hour" + interval '1 hour'
    AND (
      NOT (r."sum" > '-Infinity'::float8 AND r."sum" < 'Infinity'::float8)
      -- A value beyond ±(2^53 − 1) shows in min or max (NaN and ±Infinity compare greater too).
      OR abs(coalesce(r."min", 0)) > 9007199254740991
      OR abs(coalesce(r."max", 0)) > 9007199254740991
    )
);
