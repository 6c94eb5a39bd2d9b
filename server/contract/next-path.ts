// Where a link may send a browser after signing in: paths of this site only (no imports).
// Any base works: only whether the origin survives the parse matters. `.invalid` never resolves.
const BASE = "http://nowcast.invalid";
const MAX_LENGTH = 2048;
// C0 controls and space at the ends are stripped by URL parsers, tabs and newlines anywhere
// (`/\t/evil.com` is `//evil.com`); C1 controls and DEL have no business in a path either.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// Percent-encoded slashes, backslashes and controls in the path: a router or proxy that decodes
// it once more turns `/%2F%2Fevil.com` into `//evil.com`. (In the query they are ordinary data.)
const ENCODED_SEPARATOR = /%(2f|5c|[01][0-9a-f]|7f)/i;

/**
 * The same-origin path `next` names, normalized (dot segments resolved), or null when a browser
 * could read it as another site: `//host`, `/\host`, `https://…`, `javascript:`, controls,
 * encoded separators, or a path that normalizes to `//host` (`/.//evil.com`).
 */
export function sameOriginPath(next: string): string | null {
  if (next.length === 0 || next.length > MAX_LENGTH) return null;
  if (!next.startsWith("/") || next.startsWith("//") || next.includes("\\")) return null;
  const path = next.split(/[?#]/, 1)[0] ?? "";
  if (CONTROL.test(next) || ENCODED_SEPARATOR.test(path)) return null;
  let url: URL;
  try {
    url = new URL(next, BASE);
  } catch {
    return null;
  }
  if (url.origin !== BASE || url.pathname.startsWith("//")) return null;
  return `${url.pathname}${url.search}${url.hash}`;
}
