import { jetstream } from "@nats-io/jetstream";
import { expect, test } from "@playwright/test";
import pg from "pg";
import { connectNats } from "../server/nats/streams";

const baseUrl = () => process.env.E2E_BASE_URL ?? "";
const now = () => Date.now() - 2_000;

async function ingest(events: unknown[]) {
  const response = await fetch(`${baseUrl()}/api/ingest`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${process.env.E2E_INGEST_KEY}` },
    body: JSON.stringify(events),
  });
  expect(response.status).toBe(202);
  return (await response.json()) as { accepted: number; duplicates: number; rejected: unknown[] };
}

async function storedCount(): Promise<number> {
  const client = new pg.Client({ connectionString: process.env.E2E_DATABASE_URL });
  await client.connect();
  try {
    const result = await client.query<{ n: number }>("SELECT count(*)::int AS n FROM raw_events");
    return result.rows[0]?.n ?? -1;
  } finally {
    await client.end();
  }
}

const pageView = (id: string) => ({
  id,
  type: "page_view",
  ts: now(),
  attrs: { path: "/pricing", country: "DE" },
});
const apiRequest = (id: string) => ({
  id,
  type: "api_request",
  ts: now(),
  value: 120,
  attrs: { route: "/api/cart", method: "GET", status: 200 },
});
const transaction = (id: string) => ({
  id,
  type: "transaction",
  ts: now(),
  value: 25,
  attrs: { currency: "EUR", card_id: "c", customer_id: "u", merchant: "m" },
});

test("the live page shows exactly what was stored, updating without a reload", async ({ page }) => {
  await page.goto(`${baseUrl()}/live`);
  await expect(page.getByTestId("connection")).toHaveText("Live");
  await expect(page.getByTestId("total-events")).toHaveText("0");
  await expect(page.getByText("No events in the last 5 minutes")).toBeVisible();
  await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));

  const events = [
    ...Array.from({ length: 30 }, (_, i) => pageView(`pv-${i}`)),
    ...Array.from({ length: 12 }, (_, i) => apiRequest(`api-${i}`)),
    ...Array.from({ length: 5 }, (_, i) => transaction(`tx-${i}`)),
    pageView("pv-0"), // duplicate id in the same request
    { id: "bad-1", type: "page_view", ts: "not a time", attrs: { path: "/" } },
    { id: "bad-2", type: "no_such_type", ts: now() },
  ];
  const answer = await ingest(events);
  expect(answer).toMatchObject({ accepted: 47, duplicates: 1 });
  expect(answer.rejected).toHaveLength(2);
  expect((await ingest([apiRequest("api-0")])).duplicates).toBe(1);

  await expect(page.getByTestId("total-events")).toHaveText("47");
  await expect(page.getByTestId("window-count-page_view")).toHaveText("30");
  await expect(page.getByTestId("window-count-api_request")).toHaveText("12");
  await expect(page.getByTestId("window-count-transaction")).toHaveText("5");
  expect(await storedCount()).toBe(47);
  await expect(page.locator(".recharts-legend-item-text")).toHaveText([
    "api_request",
    "page_view",
    "transaction",
  ]);
  await page.screenshot({ path: "e2e/screenshots/live.png", fullPage: true });

  // Producers may publish straight to NATS; a non-JSON message must not stop the pipeline.
  const nc = await connectNats(process.env.NATS_URL ?? "nats://127.0.0.1:4222", "e2e-producer");
  const js = jetstream(nc);
  const subject = (type: string) => `${process.env.E2E_NAMESPACE}.events.${type}`;
  await js.publish(subject("page_view"), "definitely not json", { msgID: "garbage-1" });
  for (const id of ["n-1", "n-2", "n-3"])
    await js.publish(subject("page_view"), JSON.stringify(pageView(id)), { msgID: id });
  await nc.close();

  await expect(page.getByTestId("total-events")).toHaveText("50");
  await expect(page.getByTestId("window-count-page_view")).toHaveText("33");
  expect(await storedCount()).toBe(50);
  expect(await page.evaluate(() => (window as unknown as { marker: number }).marker)).toBe(42);
});

test("a page opened later starts from the stored history", async ({ page }) => {
  await page.goto(`${baseUrl()}/live`);
  await expect(page.getByTestId("connection")).toHaveText("Live");
  await expect(page.getByTestId("total-events")).toHaveText(String(await storedCount()));
  await expect(page.getByTestId("window-count-page_view")).toHaveText("33");
});
