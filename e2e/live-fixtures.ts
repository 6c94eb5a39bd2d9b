import { readFile } from "node:fs/promises";
import { expect, type Page } from "@playwright/test";
import pg from "pg";
import { ROLES } from "../scripts/roles";
import { roleLogFile } from "./stack";

export const baseUrl = () => process.env.E2E_BASE_URL ?? "";

/** Start of the 10 s bucket the known events go into: ~40 s ago, so it is settled quickly. */
export const B = Math.floor((Date.now() - 40_000) / 10_000) * 10_000;

export async function ingest(events: unknown[]) {
  const response = await fetch(`${baseUrl()}/api/ingest`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${process.env.E2E_INGEST_KEY}` },
    body: JSON.stringify(events),
  });
  expect(response.status).toBe(202);
  return (await response.json()) as { accepted: number; duplicates: number; rejected: unknown[] };
}

/** Ingests events that must all be taken: none rejected, each accepted or a duplicate of a stored one. */
export async function ingestAll(events: unknown[]) {
  const answer = await ingest(events);
  expect(answer.rejected).toEqual([]);
  expect(answer.accepted + answer.duplicates).toBe(events.length);
  return answer;
}

export async function storedCount(): Promise<number> {
  const client = new pg.Client({ connectionString: process.env.E2E_DATABASE_URL });
  await client.connect();
  try {
    const result = await client.query<{ n: number }>("SELECT count(*)::int AS n FROM raw_events");
    return result.rows[0]?.n ?? -1;
  } finally {
    await client.end();
  }
}

export const pageView = (i: number, ts = B + 1_000 + i * 10) => ({
  id: `pv-${i}`,
  type: "page_view",
  ts,
  attrs: { path: "/pricing", country: i < 20 ? "DE" : "FR", device: "desktop", user_id: `u${i % 10}` },
});
export const apiRequest = (i: number, ts = B + 2_000 + i * 10, value = i < 11 ? 50 : 400) => ({
  id: `api-${i}`,
  type: "api_request",
  ts,
  value,
  attrs: { route: i < 8 ? "/api/cart" : "/api/pay", method: "GET", status: i < 3 ? 503 : 200 },
});
export const transaction = (i: number) => ({
  id: `tx-${i}`,
  type: "transaction",
  ts: B + 3_000 + i * 10,
  value: 25,
  attrs: { currency: "EUR", card_id: `c${i}`, customer_id: `cu${i}`, merchant: "m1" },
});
export const signup = (id: string, ts: number) => ({
  id,
  type: "signup",
  ts,
  attrs: { user_id: id, plan: "pro" },
});

/** The text of one cell of a chart's data table: row = bucket start, column = line. */
export function chartCell(page: Page, chart: string, t: number, line: string) {
  return page.locator(`[data-testid="${chart}-data"] tr[data-t="${t}"] td[data-line="${line}"]`);
}
export function chartRow(page: Page, chart: string, t: number) {
  return page.locator(`[data-testid="${chart}-data"] tr[data-t="${t}"]`);
}
export const tileValue = (page: Page, id: string) => page.getByTestId(`tile-${id}-value`);

/** Sends one raw Socket.IO message from the browser and returns the server's ack. */
export async function rawSubscribe(page: Page, payload: unknown): Promise<unknown> {
  return page.evaluate(async (body) => {
    const ws = new WebSocket(`ws://${location.host}/socket.io/?EIO=4&transport=websocket`);
    return new Promise((resolve, reject) => {
      setTimeout(() => reject(new Error("no ack")), 5_000);
      ws.onmessage = (message) => {
        const data = String(message.data);
        if (data.startsWith("0")) ws.send("40");
        else if (data.startsWith("40")) ws.send(`421${JSON.stringify(["live:subscribe", body])}`);
        else if (data.startsWith("44")) resolve({ connectError: JSON.parse(data.slice(2)) });
        else if (data.startsWith("431")) {
          resolve(JSON.parse(data.slice(3))[0]);
          ws.close();
        } else if (data === "2") ws.send("3");
      };
    });
  }, payload);
}

/** A top-N list as the user sees it: rows in rank order (the DOM keeps them in name order). */
export async function rankedRows(page: Page, id: string): Promise<string[]> {
  const rows = await page
    .getByTestId(`top-${id}`)
    .getByTestId("top-row")
    .evaluateAll((items) =>
      items.map((item) => ({ rank: Number(item.getAttribute("data-rank")), text: item.textContent ?? "" })),
    );
  return rows.sort((a, b) => a.rank - b.rank).map((row) => row.text);
}

/**
 * What the pipeline looked like when an assertion gave up: the health answer and the last
 * warnings of every role. CI shows only a failure's message, so it carries this with it.
 */
export async function pipelineDiagnostics(): Promise<string> {
  const parts: string[] = [];
  try {
    const response = await fetch(`${baseUrl()}/api/health`);
    parts.push(`health ${response.status}: ${(await response.text()).slice(0, 2_000)}`);
  } catch (error) {
    parts.push(`health unreachable: ${String(error)}`);
  }
  for (const role of ROLES) {
    const text = await readFile(roleLogFile(role), "utf8").catch(() => "");
    const tail = text.trim().split("\n").filter(Boolean).slice(-15);
    parts.push(`${role} log (last ${tail.length} lines):\n${tail.join("\n").slice(-4_000)}`);
  }
  return parts.join("\n");
}

/** Runs an assertion; when it fails, its error also says what the pipeline looked like. */
export async function withDiagnostics<T>(assertion: () => Promise<T>): Promise<T> {
  try {
    return await assertion();
  } catch (error) {
    const failure = error instanceof Error ? error : new Error(String(error), { cause: error });
    failure.message += `\n\n--- pipeline at the failure ---\n${await pipelineDiagnostics()}`;
    throw failure;
  }
}
