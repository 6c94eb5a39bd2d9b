/** One reading of the pipeline's counters. */
export interface PipelineSample {
  at: number;
  /** Last sequence of the event stream: every accepted message. */
  streamSeq: number;
  /** Events stored by all processors so far. */
  stored: number;
}

/**
 * Per-second rates between two readings; null until there are two, or when a counter went
 * backwards (stream or database recreated), so a reset never shows as a huge negative rate.
 */
export function pipelineRates(
  previous: PipelineSample | null,
  next: PipelineSample,
): { ingestRate: number | null; processingRate: number | null } {
  if (!previous || next.at <= previous.at) return { ingestRate: null, processingRate: null };
  const seconds = (next.at - previous.at) / 1000;
  const rate = (a: number, b: number) => (b >= a ? Math.round(((b - a) / seconds) * 10) / 10 : null);
  return {
    ingestRate: rate(previous.streamSeq, next.streamSeq),
    processingRate: rate(previous.stored, next.stored),
  };
}
