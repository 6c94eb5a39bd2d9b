// expect: nothing
import { addDays } from "date-fns";
import type { ValidEvent } from "../contract";
import { bucketStart } from "./time";

export const nextDay = (event: ValidEvent) => addDays(bucketStart(event.ts, 60_000), 1);
