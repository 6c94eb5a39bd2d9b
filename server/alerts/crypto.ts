import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from "node:crypto";

/**
 * Webhook secrets must be usable for signing, so they cannot be hashed like passwords: they
 * are sealed with AES-256-GCM under a key derived (HKDF) from the auth secret, and only the
 * roles that sign (the scheduler) or set them (web) open them. Never returned by any API.
 */
function keyOf(masterSecret: string): Buffer {
  return Buffer.from(hkdfSync("sha256", masterSecret, "nowcast", "alert-channel-secret/v1", 32));
}

/** `v1.<iv>.<tag>.<ciphertext>`, base64url parts. */
export function sealSecret(masterSecret: string, secret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keyOf(masterSecret), iv);
  const body = Buffer.concat([cipher.update(secret, "utf8"), cipher.final()]);
  return ["v1", iv, cipher.getAuthTag(), body]
    .map((p) => (typeof p === "string" ? p : p.toString("base64url")))
    .join(".");
}

export class SealedSecretError extends Error {
  override name = "SealedSecretError";
}

export function openSecret(masterSecret: string, sealed: string): string {
  const [version, iv, tag, body] = sealed.split(".");
  if (version !== "v1" || !iv || !tag || body === undefined)
    throw new SealedSecretError("not a sealed secret");
  try {
    const decipher = createDecipheriv("aes-256-gcm", keyOf(masterSecret), Buffer.from(iv, "base64url"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString(
      "utf8",
    );
  } catch (cause) {
    throw new SealedSecretError("the secret was sealed under another auth secret", { cause });
  }
}

/** `X-Nowcast-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, t + "." + body)>` (DESIGN.md). */
export function signatureHeader(secret: string, body: string, unixSeconds: number): string {
  const mac = createHmac("sha256", secret).update(`${unixSeconds}.${body}`).digest("hex");
  return `t=${unixSeconds},v1=${mac}`;
}
