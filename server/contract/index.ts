// The public contract: events, HTTP payloads, socket messages. Imports nothing but zod.
export * from "./events";
export * from "./value-range";
export * from "./builtin-types";
export * from "./validate";
export * from "./api";
export * from "./live";
export * from "./metrics";
export * from "./auth";
export * from "./jobs";
export * from "./socket";
export * from "./history";
export * from "./live-buckets";
