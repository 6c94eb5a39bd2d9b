import type { Attrs, ValidEvent } from "../contract";

/** Dimension rows an event can be enriched from. */
export interface CustomerDimension {
  segment: string;
  homeCountry: string | null;
}
export interface MerchantDimension {
  category: string;
}

export interface DimensionLookup {
  customer(id: string): CustomerDimension | null | undefined;
  merchant(id: string): MerchantDimension | null | undefined;
}

/** Attr names added by enrichment; they can be grouped and filtered on like any attr. */
export const ENRICHED_ATTRS = [
  "customer_segment",
  "customer_home_country",
  "merchant_category",
  "country_mismatch",
] as const;

/** Ids of the dimension rows the batch needs, so they can be fetched in one query each. */
export function dimensionKeys(events: readonly ValidEvent[]): { customers: string[]; merchants: string[] } {
  const customers = new Set<string>();
  const merchants = new Set<string>();
  for (const event of events) {
    if (event.type !== "transaction") continue;
    if (typeof event.attrs.customer_id === "string") customers.add(event.attrs.customer_id);
    if (typeof event.attrs.merchant === "string") merchants.add(event.attrs.merchant);
  }
  return { customers: [...customers], merchants: [...merchants] };
}

/**
 * Adds customer segment and home country, merchant category, and whether the transaction's
 * country differs from the customer's home country. Unknown dimensions add nothing (the
 * event then groups under "(none)"). Pure: lookups come from a cache filled beforehand.
 */
export function enrichEvent(event: ValidEvent, dims: DimensionLookup): ValidEvent {
  if (event.type !== "transaction") return event;
  const extra: Attrs = {};
  const customer =
    typeof event.attrs.customer_id === "string" ? dims.customer(event.attrs.customer_id) : null;
  if (customer) {
    extra.customer_segment = customer.segment;
    if (customer.homeCountry) {
      extra.customer_home_country = customer.homeCountry;
      if (typeof event.attrs.country === "string")
        extra.country_mismatch = event.attrs.country !== customer.homeCountry;
    }
  }
  const merchant = typeof event.attrs.merchant === "string" ? dims.merchant(event.attrs.merchant) : null;
  if (merchant) extra.merchant_category = merchant.category;
  return Object.keys(extra).length === 0 ? event : { ...event, attrs: { ...event.attrs, ...extra } };
}
