// expect: import-x/no-restricted-paths adapters (server/db, server/nats) never import process code.
import { getWebServices } from "../web/services";

export const services = getWebServices;
