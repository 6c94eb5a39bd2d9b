// expect: import-x/no-restricted-paths server/auth is used by the web role, never the other way round
import { getWebServices } from "../web/services";

export const services = getWebServices;
