/** Where to go after signing in: only same-site paths, so a crafted link cannot send users elsewhere. */
export function safeNext(next: string | null | undefined): string {
  return next && next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/\\") ? next : "/live";
}
