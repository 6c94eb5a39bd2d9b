import { describe, expect, it } from "vitest";
import type { DeadLetterRecord } from "../db/event-store";
import { ingest, IngestRequestError, type IngestPorts } from "./ingest";

const NOW = Date.UTC(2026, 10, 25, 12);

/** In-memory twin of JetStream's publish-time de-duplication. */
function twin() {
  const published: { type: string; id: string; payload: string }[] = [];
  const ids = new Set<string>();
  const letters: DeadLetterRecord[] = [];
  const ports: IngestPorts = {
    async publish(type, id, payload) {
      const duplicate = ids.has(id);
      ids.add(id);
      if (!duplicate) published.push({ type, id, payload });
      return { duplicate };
    },
    async storeRejections(batch) {
      letters.push(...batch);
    },
  };
  return { ports, published, letters };
}

const pv = (id: string) => ({ id, type: "page_view", ts: NOW, attrs: { path: "/" } });

describe("ingest", () => {
  it("publishes valid events and reports rejections per index", async () => {
    const t = twin();
    const answer = await ingest(t.ports, [pv("a"), { id: "b", type: "nope", ts: NOW }, pv("c")], NOW);
    expect(answer).toEqual({
      accepted: 2,
      duplicates: 0,
      rejected: [{ index: 1, id: "b", reasons: [expect.objectContaining({ code: "unknown_type" })] }],
    });
    expect(t.published.map((p) => [p.type, p.id])).toEqual([
      ["page_view", "a"],
      ["page_view", "c"],
    ]);
    expect(t.letters).toEqual([expect.objectContaining({ source: "http", eventId: "b" })]);
  });

  it("accepts a single object", async () => {
    expect(await ingest(twin().ports, pv("x"), NOW)).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
  });

  it("counts a repeated id once, within a request and across requests", async () => {
    const t = twin();
    expect(await ingest(t.ports, [pv("d"), pv("d")], NOW)).toMatchObject({ accepted: 1, duplicates: 1 });
    expect(await ingest(t.ports, [pv("d")], NOW)).toMatchObject({ accepted: 0, duplicates: 1 });
    expect(t.published).toHaveLength(1);
  });

  it("refuses an empty array and more than 1000 events", async () => {
    await expect(ingest(twin().ports, [], NOW)).rejects.toBeInstanceOf(IngestRequestError);
    const many = Array.from({ length: 1001 }, (_, i) => pv(`e${i}`));
    await expect(ingest(twin().ports, many, NOW)).rejects.toMatchObject({ code: "too_many_events" });
  });

  it("rejects an oversize event without publishing it", async () => {
    const big = { ...pv("big"), attrs: { path: "/", blob: "x".repeat(17_000) } };
    const answer = await ingest(twin().ports, [big], NOW);
    expect(answer.rejected[0]?.reasons[0]?.code).toBe("payload_too_large");
  });
});
