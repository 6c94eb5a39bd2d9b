/** Start of the tumbling window of `sizeMs` that contains `ts` (UTC-aligned, epoch ms). */
export function bucketStart(ts: number, sizeMs: number): number {
  return Math.floor(ts / sizeMs) * sizeMs;
}

export const SECOND_MS = 1000;
export const MINUTE_MS = 60_000;
