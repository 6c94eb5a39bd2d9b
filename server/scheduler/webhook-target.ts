import { lookup, type LookupAddress, type LookupAllOptions, type LookupOneOptions } from "node:dns";
import ipaddr from "ipaddr.js";
import { Agent } from "undici";

/**
 * Why a webhook may not be sent to `address`, or null when it may: every address that is not
 * public unicast (loopback, private, link-local — the cloud metadata service —, unique-local,
 * CGNAT, multicast, reserved, IPv4-mapped forms of those…), as ipaddr.js classifies them.
 */
export function refusedRange(address: string): string | null {
  if (!ipaddr.isValid(address)) return "invalid";
  const range = ipaddr.process(address).range();
  return range === "unicast" ? null : range;
}

export class WebhookTargetRefused extends Error {
  override name = "WebhookTargetRefused";
}

const refusal = (host: string, address: string, range: string) =>
  new WebhookTargetRefused(
    `refused: ${host === address ? address : `${host} resolves to ${address}`}, a ${range} address; ` +
      "set NOWCAST_WEBHOOK_ALLOW_PRIVATE=true to send webhooks to private networks",
  );

/** Refuses a URL whose host is itself a refused address (no lookup happens for those). */
export function refusedLiteral(url: string): WebhookTargetRefused | null {
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, "");
  } catch {
    return null; // fetch reports the bad URL itself
  }
  if (!ipaddr.isValid(host)) return null;
  const range = refusedRange(host);
  return range ? refusal(host, host, range) : null;
}

type Callback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A dispatcher whose connections only go to the addresses it checked: the check runs on the
 * resolved addresses inside the connection's own lookup, so a name that resolves to a public
 * address for a check and to a private one for the connection (DNS rebinding) cannot slip by.
 */
export function guardedDispatcher(): Agent {
  const guardedLookup = (
    hostname: string,
    options: LookupOneOptions | LookupAllOptions,
    callback: Callback,
  ): void => {
    lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      for (const a of addresses) {
        const range = refusedRange(a.address);
        if (range) return callback(refusal(hostname, a.address, range), []);
      }
      const first = addresses[0];
      if (options.all) return callback(null, addresses);
      if (!first)
        return callback(Object.assign(new Error(`no address for ${hostname}`), { code: "ENOTFOUND" }), []);
      callback(null, first.address, first.family);
    });
  };
  return new Agent({ connect: { lookup: guardedLookup as never } });
}
