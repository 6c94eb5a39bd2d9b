// expect: nothing
import { ApiError } from "../server/contract";
import { toCsv } from "../server/core/history/csv";

export const parseError = (body: unknown) => ApiError.safeParse(body);
export const csv = toCsv;
