/**
 * Whether a request comes from Nowcast's own pages. A page on another origin can make the
 * browser send requests here with the user's cookies (a subdomain, another port on localhost:
 * same *site*, so SameSite cookies do not help), but it cannot choose the `Origin`,
 * `Sec-Fetch-Site` or `Host` headers: the browser sets those. A client that is not a browser
 * can set anything, but then it has no victim's cookie to abuse. Pure: no I/O.
 */

/** Methods that change state: each needs proof that it comes from this app's own pages. */
export const STATE_CHANGING_METHODS: ReadonlySet<string> = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** The headers that tell where a request was made, as the browser set them. */
export interface OriginEvidence {
  origin: string | null;
  /** `Sec-Fetch-Site` (Fetch Metadata): `same-origin`, `same-site`, `cross-site` or `none`. */
  fetchSite: string | null;
  /** The `Host` the request was sent to. */
  host: string | null;
}

export type OriginVerdict = { ok: true } | { ok: false; reason: string };

/**
 * What to do when neither `Origin` nor `Sec-Fetch-Site` is present: every browser sends
 * `Origin` on a cross-origin request and on any POST, so for writes a missing header means an
 * old browser or a script — refused (`require`); a same-origin GET (a Socket.IO polling
 * handshake) legitimately has neither — allowed (`allow`).
 */
export type MissingEvidence = "require" | "allow";

/**
 * Same origin means: `Origin` equals `publicUrl`'s origin (NOWCAST_PUBLIC_URL) or, without one,
 * names the very host the request was sent to; `Sec-Fetch-Site`, when sent, says `same-origin`.
 */
export function checkSameOrigin(
  evidence: OriginEvidence,
  publicUrl: string | undefined,
  missing: MissingEvidence,
): OriginVerdict {
  const { origin, fetchSite } = evidence;
  if (fetchSite !== null && fetchSite !== "same-origin")
    return refuse(`the browser says this request comes from another origin (Sec-Fetch-Site: ${fetchSite})`);
  if (origin === null) {
    if (fetchSite === "same-origin" || missing === "allow") return { ok: true };
    return refuse("the request has no Origin header; send the Origin of this app");
  }
  const claimed = parseOrigin(origin);
  if (!claimed) return refuse(`Origin ${JSON.stringify(origin.slice(0, 100))} is not an http(s) origin`);
  const own = ownOrigin(claimed.protocol, evidence.host, publicUrl);
  if (own === null) return refuse("the request names no Host to compare its Origin with");
  return claimed.origin === own ? { ok: true } : refuse(`Origin ${claimed.origin} is not this app (${own})`);
}

/** This app's origin: the public URL's, or the request's own host with the scheme the Origin used. */
function ownOrigin(protocol: string, host: string | null, publicUrl: string | undefined): string | null {
  if (publicUrl) return new URL(publicUrl).origin;
  if (!host) return null;
  try {
    // Normalizes case and a default port (`Host: example.com:80` is `http://example.com`).
    return new URL(`${protocol}//${host}`).origin;
  } catch {
    return null;
  }
}

function parseOrigin(origin: string): URL | null {
  try {
    const url = new URL(origin);
    return url.protocol === "http:" || url.protocol === "https:" ? url : null;
  } catch {
    return null;
  }
}

const refuse = (reason: string): OriginVerdict => ({ ok: false, reason });

/** `application/json`, with or without parameters (`; charset=utf-8`). */
export function isJsonContentType(contentType: string | null): boolean {
  return contentType !== null && /^application\/json\s*(;|$)/i.test(contentType.trim());
}
