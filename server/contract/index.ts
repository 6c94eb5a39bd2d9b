// The public contract: events, HTTP payloads, socket messages. Imports nothing but zod.
export * from "./events";
export * from "./builtin-types";
export * from "./validate";
export * from "./payload";
export * from "./attrs";
export * from "./event-time";
export * from "./text";
export * from "./json-scan";
export * from "./api";
export * from "./live";
export * from "./metrics";
export * from "./auth";
export * from "./jobs";
export * from "./socket";
export * from "./history";
export * from "./params";
