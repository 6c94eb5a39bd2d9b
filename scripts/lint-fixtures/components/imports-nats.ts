// expect: import-x/no-restricted-paths app/ and components/ reach the server only through verbs
import { connectNats } from "../server/nats/streams";

export const connect = connectNats;
