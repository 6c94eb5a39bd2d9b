/**
 * Headers every response carries. Next sets them for the pages and routes it serves
 * (next.config.mjs `headers()`); the routes the custom server answers itself set them from
 * here. `security-headers.test.ts` keeps the two lists equal.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "strict-origin-when-cross-origin",
  "X-Frame-Options": "DENY",
  "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
  "Cross-Origin-Opener-Policy": "same-origin",
};
