import { describe, expect, it } from "vitest";
import type { ValidEvent } from "../contract";
import { dimensionKeys, enrichEvent, type DimensionLookup } from "./enrich";

const tx = (attrs: ValidEvent["attrs"]): ValidEvent => ({
  id: "t",
  type: "transaction",
  ts: 1,
  v: 1,
  value: 5,
  attrs,
});
const dims: DimensionLookup = {
  customer: (id) =>
    id === "c1"
      ? { segment: "vip", homeCountry: "DE" }
      : id === "c2"
        ? { segment: "new", homeCountry: null }
        : null,
  merchant: (id) => (id === "m1" ? { category: "travel" } : null),
};

describe("enrichEvent", () => {
  it.each([
    [
      "known customer and merchant, abroad",
      { customer_id: "c1", merchant: "m1", country: "FR" },
      {
        customer_segment: "vip",
        customer_home_country: "DE",
        country_mismatch: true,
        merchant_category: "travel",
      },
    ],
    ["at home", { customer_id: "c1", merchant: "m1", country: "DE" }, { country_mismatch: false }],
    ["no home country", { customer_id: "c2", merchant: "mX", country: "DE" }, { customer_segment: "new" }],
  ])("%s", (_name, attrs, expected) => {
    const enriched = enrichEvent(tx(attrs), dims);
    expect(enriched.attrs).toMatchObject({ ...attrs, ...expected });
  });

  it("leaves unknown dimensions and other types untouched", () => {
    const event = tx({ customer_id: "nobody", merchant: "nothing" });
    expect(enrichEvent(event, dims)).toBe(event);
    const pv: ValidEvent = { id: "p", type: "page_view", ts: 1, v: 1, attrs: { customer_id: "c1" } };
    expect(enrichEvent(pv, dims)).toBe(pv);
  });

  it("lists the dimension ids a batch needs, once each", () => {
    expect(
      dimensionKeys([tx({ customer_id: "c1", merchant: "m1" }), tx({ customer_id: "c1", merchant: "m2" })]),
    ).toEqual({
      customers: ["c1"],
      merchants: ["m1", "m2"],
    });
  });
});
