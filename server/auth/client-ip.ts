import { BlockList, isIP } from "node:net";

/**
 * The address a request really came from: the socket's peer, or — only when that peer is a
 * trusted proxy — the right-most `X-Forwarded-For` entry that is not itself a trusted proxy.
 * A client cannot spoof its way past sign-in throttling by sending the header itself.
 */
export function clientIp(
  remoteAddress: string | undefined,
  forwardedFor: string | undefined,
  trusted: BlockList,
): string {
  const peer = normalize(remoteAddress ?? "");
  if (!peer || !isTrusted(trusted, peer) || !forwardedFor) return peer || "unknown";
  const hops = forwardedFor
    .split(",")
    .map((h) => normalize(h.trim()))
    .filter((h) => isIP(h) !== 0);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i];
    if (hop && !isTrusted(trusted, hop)) return hop;
  }
  return peer;
}

/** Parses `NOWCAST_TRUSTED_PROXIES` entries (addresses or CIDR ranges). */
export function trustedProxies(entries: string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address, bits] = entry.split("/");
    if (!address) continue;
    const type = isIP(address) === 6 ? "ipv6" : "ipv4";
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(bits), type);
  }
  return list;
}

function normalize(address: string): string {
  return address.startsWith("::ffff:") && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

function isTrusted(list: BlockList, address: string): boolean {
  const type = isIP(address);
  return type !== 0 && list.check(address, type === 6 ? "ipv6" : "ipv4");
}
