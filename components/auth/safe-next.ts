import { sameOriginPath } from "../../server/contract/next-path";

/** Where signing in leads when `next` is missing or not a path of this site. */
export const DEFAULT_NEXT = "/live";

/** Where to go after signing in: only same-site paths, so a crafted link cannot send users elsewhere. */
export function safeNext(next: string | null | undefined): string {
  return (next ? sameOriginPath(next) : null) ?? DEFAULT_NEXT;
}
