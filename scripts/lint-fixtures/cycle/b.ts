// expect: import-x/no-cycle Dependency cycle detected
import { a } from "./a";

export const b = (): number => (Math.random() > 2 ? a() : 0);
