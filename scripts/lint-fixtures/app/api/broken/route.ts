// expect: import-x/no-restricted-paths app/ and components/ reach the server only through verbs
import { loadDefinitions } from "../../../server/db/metric-definitions";

export const load = loadDefinitions;
