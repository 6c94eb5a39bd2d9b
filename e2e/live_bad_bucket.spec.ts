import { expect, test, type Page } from "@playwright/test";
import type { LiveBatch, MetricBucket } from "../server/contract";
import { connectNats } from "../server/nats/streams";
import { baseUrl, chartCell } from "./live-fixtures";

// Issue 10, item 4: one bucket whose sum had overflowed (JSON: null) made the whole snapshot
// "malformed" and blanked /live. Two ways in, both against the real stack:
// - the web trusts its live subject: batches published there by a made-up consumer carry a
//   good bucket and a bad one (the web must drop only the bad one);
// - the browser's own socket frames are rewritten in flight (Playwright routeWebSocket) so
//   every snapshot and update it receives also carries a bad bucket (the page must drop it).
// Nothing is stored, and the crafted buckets are 1-minute ones of the sign-up series, which no
// other spec reads, so the specs before and after this one see the same page.

const BUCKET = 60_000;
const T1 = Math.floor((Date.now() - 3 * BUCKET) / BUCKET) * BUCKET;
const T2 = T1 + BUCKET;
const consumer = `e2e-crafted-${Date.now()}`;

const summary = (count: number) => ({
  count,
  sum: 0,
  avg: null,
  min: null,
  max: null,
  p50: null,
  p90: null,
  p95: null,
  p99: null,
  distinct: 0,
});
const signups = (bucketStart: number, count: number): MetricBucket => ({
  metric: "signups",
  resolution: "1m",
  bucketStart,
  groupKey: "",
  state: "open",
  summary: summary(count),
});
/** What a sum of Infinity becomes in JSON. */
const overflowed = (bucketStart: number) => ({
  ...signups(bucketStart, 5),
  summary: { ...summary(5), sum: null },
});

async function publishBatch(batchSeq: number, buckets: unknown[]) {
  const nc = await connectNats(process.env.NATS_URL ?? "nats://127.0.0.1:4222", "e2e-crafted-live");
  // watermark null: a consumer without one does not hold back anyone's buckets.
  const batch: Omit<LiveBatch, "buckets"> & { buckets: unknown[] } = {
    consumer,
    batchSeq,
    total: 0,
    tooLateTotal: 0,
    watermark: null,
    rates: [],
    buckets,
    committedAt: Date.now(),
  };
  nc.publish(`${process.env.E2E_NAMESPACE}.live.events`, JSON.stringify(batch));
  await nc.flush();
  await nc.close();
}

/** Adds a bad bucket to every snapshot (ack `43<id>[…]`) and update (`42["live:update",…]`) frame. */
function withBadBucket(frame: string): string {
  const ack = /^43(\d+)(\[[\s\S]*\])$/.exec(frame);
  if (ack?.[1] && ack[2]) {
    const args = JSON.parse(ack[2]) as [{ ok: boolean; snapshot?: { buckets: unknown[] } }];
    args[0].snapshot?.buckets.push(overflowed(T1 - BUCKET));
    return `43${ack[1]}${JSON.stringify(args)}`;
  }
  if (frame.startsWith('42["live:update"')) {
    const args = JSON.parse(frame.slice(2)) as [string, { buckets: unknown[] }];
    args[1].buckets.push({ ...overflowed(T2 + BUCKET), state: "no such state" });
    return `42${JSON.stringify(args)}`;
  }
  return frame;
}

async function tamperWithSocket(page: Page) {
  await page.routeWebSocket(/\/socket\.io\//, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((message) => server.send(message));
    server.onMessage((message) => ws.send(typeof message === "string" ? withBadBucket(message) : message));
  });
}

const droppedOnPage = async (page: Page) =>
  Number(await page.locator("main.live").getAttribute("data-dropped-buckets"));

test("a malformed bucket in a snapshot, an update or a processor batch does not blank /live", async ({
  page,
}) => {
  const warnings: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "warning") warnings.push(message.text());
  });
  await publishBatch(1, [signups(T1, 30), overflowed(T1 - 2 * BUCKET)]);
  await tamperWithSocket(page);
  await page.goto(`${baseUrl()}/live`);
  await expect(page.getByTestId("connection")).toHaveText("Live");
  await page.getByRole("button", { name: "1 min · 3 h" }).click();

  // The snapshot's good buckets are shown: 30 sign-ups in a minute.
  await expect(chartCell(page, "chart-throughput", T1, "signup")).toHaveText("0.5");
  await expect(page.locator(".banner-error")).toHaveCount(0);
  await expect.poll(() => droppedOnPage(page)).toBeGreaterThanOrEqual(1);
  const afterSnapshots = await droppedOnPage(page);

  // An update (rewritten to carry a bad bucket) from a batch that itself carries one.
  await publishBatch(2, [overflowed(T1 - 3 * BUCKET), signups(T2, 12)]);
  await expect(chartCell(page, "chart-throughput", T2, "signup")).toHaveText("0.2");
  await expect.poll(() => droppedOnPage(page)).toBeGreaterThan(afterSnapshots);
  await expect(chartCell(page, "chart-throughput", T1, "signup")).toHaveText("0.5");
  await expect(page.locator(".banner-error")).toHaveCount(0);
  expect(warnings.some((w) => w.includes("malformed bucket"))).toBe(true);

  // The same figures as a page whose frames are untouched: nothing else was lost.
  const plain = await page.context().newPage();
  await plain.goto(`${baseUrl()}/live`);
  await plain.getByRole("button", { name: "1 min · 3 h" }).click();
  await expect(chartCell(plain, "chart-throughput", T2, "signup")).toHaveText("0.2");
  const tiles = (p: Page) => p.locator('[data-testid^="tile-"][data-testid$="-value"]').allTextContents();
  await expect.poll(() => tiles(page)).toEqual(await tiles(plain));
  expect(await droppedOnPage(plain)).toBe(0);
  await plain.close();
});
