// expect: import-x/no-restricted-paths server/core and server/contract are pure
import { inTransaction } from "../db/clients";

export const run = inTransaction;
