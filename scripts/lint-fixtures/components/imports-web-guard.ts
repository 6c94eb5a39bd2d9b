// expect: import-x/no-restricted-paths components/ are browser code
import { authorize } from "../server/web/guard";

export const guard = authorize;
