import Papa from "papaparse";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiError, InvalidParameterDetails, MetricsResponse, SeriesResponse } from "../contract";
import { createApiKey } from "../auth/api-keys";
import { createDbClients, type DbClients } from "../db/clients";
import {
  createTestDatabase,
  deleteNamespace,
  NATS_URL,
  uniqueName,
  type TestDatabase,
} from "../testing/harness";
import { commitEvents, generateHistoryEvents } from "../testing/history-fixture";
import { seededRandom } from "../testing/seeded-random";
import { getWebServices } from "./services";

type Handler = (request: Request, context: { params: Promise<{ name: string }> }) => Promise<Response>;
const namespace = uniqueName("thist");
let database: TestDatabase;
let db: DbClients;
let series: Handler;
let breakdown: Handler;
let metrics: (request: Request) => Promise<Response>;

const FROM = "2026-03-08T00:00:00Z";
const TO = "2026-03-09T00:00:00Z";

let readKey = "";

function call(handler: Handler, name: string, query: string, headers: Record<string, string> = {}) {
  // As a reporting tool would call it: with a `read` API key.
  const request = new Request(`http://test/api/metrics/${name}/x?${query}`, {
    headers: { authorization: `Bearer ${readKey}`, ...headers },
  });
  return handler(request, { params: Promise.resolve({ name }) });
}

beforeAll(async () => {
  database = await createTestDatabase("nowcast_hroute");
  process.env.DATABASE_URL = database.url;
  process.env.NATS_URL = NATS_URL;
  process.env.NOWCAST_NAMESPACE = namespace;
  ({ GET: series } = await import("../../app/api/metrics/[name]/series/route"));
  ({ GET: breakdown } = await import("../../app/api/metrics/[name]/breakdown/route"));
  ({ GET: metrics } = await import("../../app/api/metrics/route"));
  // Sessions in the test database's half-hour zone (no UTC pin): the SQL must not depend on it.
  db = createDbClients(database.url, { max: 2, sessionTimeZone: null });
  readKey = (await createApiKey(db.pool, { name: "reports tool", scope: "read", createdBy: null })).secret;
  // Data up to 2026-03-09T12:00Z: the watermark is past TO, so [FROM, TO) is final.
  await commitEvents(
    db.pool,
    generateHistoryEvents(seededRandom(11), Date.parse(FROM), Date.parse("2026-03-09T12:00:00Z"), 30),
  );
}, 60_000);

afterAll(async () => {
  await (await getWebServices()).close();
  await deleteNamespace(namespace);
  await db?.close();
  await database?.drop();
});

describe("validation errors name the parameter", () => {
  it.each([
    ["to=2026-03-09T00:00:00Z", "from"],
    [`from=yesterday&to=${TO}`, "from"],
    [`from=${FROM}&to=${FROM}`, "to"],
    [`from=${FROM}&to=2027-06-01T00:00:00Z`, "to"],
    [`from=${FROM}&to=${TO}&step=2h`, "step"],
    [`from=${FROM}&to=${TO}&tz=Mars/Olympus`, "tz"],
    [`from=${FROM}&to=${TO}&format=xml`, "format"],
    [`from=${FROM}&to=${TO}&limit=0`, "limit"],
    [`from=${FROM}&to=${TO}&groupBy=country`, "groupBy"],
    [`from=${FROM}&to=${TO}&colour=red`, "colour"],
    [`from=2026-01-01T00:00:00Z&to=${TO}&step=1m`, "step"],
  ])("series?%s → 400 naming %s", async (query, param) => {
    const response = await call(series, "api_latency", query);
    expect(response.status).toBe(400);
    const body = ApiError.parse(await response.json());
    expect(body.error.code).toBe("invalid_parameter");
    expect(body.error.message.startsWith(`${param}:`)).toBe(true);
    // The one shape of a bad parameter on every route (server/contract/api.ts).
    const details = InvalidParameterDetails.parse(body.error.details);
    expect([details.param, details.issues[0]?.param]).toEqual([param, param]);
  });

  it.each([
    [`from=${FROM}&to=${TO}`, "by"],
    [`from=${FROM}&to=${TO}&by=country`, "by"],
  ])("breakdown?%s → 400 naming %s", async (query, param) => {
    const response = await call(breakdown, "api_latency", query);
    expect(response.status).toBe(400);
    const details = InvalidParameterDetails.parse(ApiError.parse(await response.json()).error.details);
    expect([details.param, details.issues[0]?.param]).toEqual([param, param]);
  });

  it("404s an unknown metric", async () => {
    const response = await call(series, "no_such_metric", `from=${FROM}&to=${TO}`);
    expect(response.status).toBe(404);
    expect(ApiError.parse(await response.json()).error.code).toBe("unknown_metric");
  });
});

describe("caching", () => {
  it("sends an ETag for a final range and answers If-None-Match with 304", async () => {
    const first = await call(series, "api_latency", `from=${FROM}&to=${TO}&step=1h&groupBy=route`);
    expect(first.status).toBe(200);
    expect(first.headers.get("cache-control")).toContain("max-age");
    const etag = first.headers.get("etag") ?? "";
    expect(etag).toMatch(/^".+"$/);
    expect(SeriesResponse.parse(await first.json()).complete).toBe(true);
    const again = await call(series, "api_latency", `from=${FROM}&to=${TO}&step=1h&groupBy=route`, {
      "if-none-match": etag,
    });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
    const other = await call(series, "api_latency", `from=${FROM}&to=${TO}&step=1d&groupBy=route`, {
      "if-none-match": etag,
    });
    expect(other.status).toBe(200);
  });

  it("never lets a range with open buckets be stored", async () => {
    const first = await call(series, "api_latency", `from=${FROM}&to=2026-03-10T00:00:00Z&step=1h`);
    expect(SeriesResponse.parse(await first.json()).complete).toBe(false);
    expect(first.headers.get("cache-control")).toBe("no-store");
    const again = await call(series, "api_latency", `from=${FROM}&to=2026-03-10T00:00:00Z&step=1h`, {
      "if-none-match": first.headers.get("etag") ?? "",
    });
    expect(again.status).toBe(200);
  });
});

describe("CSV", () => {
  it("has the header block and the same rows as the JSON answer", async () => {
    const query = `from=${FROM}&to=${TO}&step=1h&groupBy=route&limit=2&tz=Asia/Kolkata`;
    const json = SeriesResponse.parse(await (await call(series, "api_latency", query)).json());
    const response = await call(series, "api_latency", `${query}&format=csv`);
    expect(response.headers.get("content-type")).toContain("text/csv");
    expect(response.headers.get("content-disposition")).toContain("api_latency-series.csv");
    const text = await response.text();
    expect(text.split("\r\n").slice(0, 7)).toEqual([
      "# metric: api_latency",
      `# range: ${json.from} to ${json.to}`,
      "# time zone: Asia/Kolkata",
      "# step: 1h",
      "# filters: none",
      "# group by: route",
      `# complete up to: ${json.watermark}`,
    ]);
    const rows = Papa.parse<Record<string, string>>(text, {
      header: true,
      comments: "#",
      skipEmptyLines: true,
    }).data;
    expect(rows).toHaveLength(json.points.length);
    rows.forEach((row, i) => {
      const point = json.points[i];
      expect([row.t, row.group, Number(row.count), Number(row.p95), row.state]).toEqual([
        point?.t,
        point?.group,
        point?.count,
        point?.p95,
        point?.state,
      ]);
    });
  });

  it("exports a breakdown with its total", async () => {
    const text = await (
      await call(breakdown, "api_latency", `from=${FROM}&to=${TO}&by=route&format=csv`)
    ).text();
    expect(text).toContain("# group by: route");
    expect(text).toMatch(/\r\n\(total\),\d+,/);
  });
});

describe("GET /api/metrics", () => {
  it("lists the definitions", async () => {
    const body = MetricsResponse.parse(
      await (
        await metrics(
          new Request("http://test/api/metrics", { headers: { authorization: `Bearer ${readKey}` } }),
        )
      ).json(),
    );
    expect(body.metrics.map((m) => m.name)).toContain("api_latency");
  });
});
