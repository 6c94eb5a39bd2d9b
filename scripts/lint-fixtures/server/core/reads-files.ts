// expect: no-restricted-imports server/core is pure (no I/O, no node: modules)
import { readFileSync } from "node:fs";

export const text = () => readFileSync("/etc/hostname", "utf8");
