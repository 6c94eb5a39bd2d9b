import type { AlertBucket } from "../contract";
import type { LiveStore } from "../core/live-store";
import type { MetricSeries, SampleSources, SeriesBucket } from "../core/alerting/window";

/**
 * Window sources for rules, read from the live store (fed by the processors' batches) and
 * cached per store version: every rule of one metric and bucket size shares one series.
 */
export class SourceCache {
  private version = -1;
  private readonly cache = new Map<string, MetricSeries>();
  /** Series that do not come from the live store (dead letters per minute). */
  private readonly extra = new Map<string, MetricSeries>();

  setExtra(name: string, series: MetricSeries): void {
    this.extra.set(name, series);
  }

  constructor(private readonly store: LiveStore) {}

  sources(metrics: readonly string[], bucket: AlertBucket): SampleSources {
    if (this.store.version !== this.version) {
      this.cache.clear();
      this.version = this.store.version;
    }
    const series = new Map<string, MetricSeries>();
    for (const metric of metrics) series.set(metric, this.series(metric, bucket));
    return { series, watermark: this.store.watermark() };
  }

  private series(metric: string, bucket: AlertBucket): MetricSeries {
    const extra = this.extra.get(metric);
    if (extra) return extra;
    const key = `${metric}|${bucket}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const byGroup = new Map<string, Map<number, SeriesBucket>>();
    const add = (b: ReturnType<LiveStore["select"]>[number]) => {
      let starts = byGroup.get(b.groupKey);
      if (!starts) byGroup.set(b.groupKey, (starts = new Map()));
      starts.set(b.bucketStart, { start: b.bucketStart, state: b.state, summary: b.summary });
    };
    this.store.select(metric, bucket, false).forEach(add);
    this.store.select(metric, bucket, true).forEach(add);
    this.cache.set(key, byGroup);
    return byGroup;
  }
}
