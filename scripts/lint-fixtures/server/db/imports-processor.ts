// expect: import-x/no-restricted-paths adapters (server/db, server/nats) never import process code.
import { startProcessor } from "../processor/processor";

export const start = startProcessor;
