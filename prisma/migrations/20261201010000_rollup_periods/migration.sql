-- Which coarse periods (1 h, 1 d) have been compacted from the finer tier. The history API
-- reads a 1h/1d rollup row only when its period is 'compacted'; a 'dirty' period (touched by a
-- late event or a reconciliation after compaction) is answered from the finer tier until the
-- compaction job has re-run it.
CREATE TABLE "rollup_periods" (
    "resolution" TEXT NOT NULL,
    "period_start" TIMESTAMPTZ(3) NOT NULL,
    "status" TEXT NOT NULL,
    "compacted_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "rollup_periods_pkey" PRIMARY KEY ("resolution", "period_start"),
    CONSTRAINT "rollup_periods_resolution_check" CHECK ("resolution" IN ('1h', '1d')),
    CONSTRAINT "rollup_periods_status_check" CHECK ("status" IN ('compacted', 'dirty'))
);
CREATE INDEX "rollup_periods_status_idx" ON "rollup_periods" ("status", "resolution", "period_start");
