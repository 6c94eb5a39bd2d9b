// expect: import-x/no-cycle Dependency cycle detected
import { b } from "./b";

export const a = () => b() + 1;
