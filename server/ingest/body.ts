import { INGEST_LIMITS, jsonErrorMessage, topLevelItems, withoutBom } from "../contract";

/** A request-level problem: the whole request is refused (400 or 413), nothing is taken. */
export class IngestRequestError extends Error {
  override name = "IngestRequestError";
  constructor(
    readonly code: "empty_body" | "invalid_json" | "empty_batch" | "too_many_events",
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const lenient = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

/**
 * Splits a request body into its events, each as the exact bytes it was sent as (the elements
 * of a top-level array, or the one value). The body as a whole must be JSON: otherwise items
 * cannot be told apart. Bytes that are not UTF-8 inside an item are that item's problem
 * (invalid_encoding), so they are read leniently here.
 */
export function splitBody(body: Uint8Array): Uint8Array[] {
  const bytes = withoutBom(body);
  const text = lenient.decode(bytes);
  if (text.trim() === "")
    throw new IngestRequestError("empty_body", "the body is empty; send an event or an array");
  try {
    // Iterative in V8: 100 000 levels of nesting parse without a stack overflow.
    JSON.parse(text);
  } catch (cause) {
    throw new IngestRequestError("invalid_json", `the body is not valid JSON: ${jsonErrorMessage(cause)}`, {
      cause,
    });
  }
  const { items } = topLevelItems(bytes);
  if (items.length === 0) throw new IngestRequestError("empty_batch", "the request holds no events");
  if (items.length > INGEST_LIMITS.maxEvents) {
    const message = `the request holds ${items.length} events (at most ${INGEST_LIMITS.maxEvents})`;
    throw new IngestRequestError("too_many_events", message);
  }
  return items.map((span) => bytes.subarray(span.start, span.end));
}
