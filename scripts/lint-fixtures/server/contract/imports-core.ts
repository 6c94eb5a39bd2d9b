// expect: import-x/no-restricted-paths server/contract imports only zod and itself.
import { bucketStart } from "../core/time";

export const minute = bucketStart(0, 60_000);
