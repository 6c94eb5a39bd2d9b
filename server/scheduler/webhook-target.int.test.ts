// The webhook sender against a real local receiver: a private target is refused before any
// byte reaches it, whether the URL names the address or a name that resolves to it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startReceiver } from "../testing/alert-stack";
import { postWebhook } from "./webhooks";

let receiver: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
});

const send = (url: string, allowPrivate: boolean) =>
  postWebhook(url, "a-signing-secret-0123456789", '{"test":true}', "key-1", Date.now(), { allowPrivate });

describe("webhook delivery to private addresses", () => {
  it("refuses 127.0.0.1 and localhost unless allowed, and sends nothing", async () => {
    const port = new URL(receiver.url).port;
    const literal = await send(receiver.url, false);
    expect(literal).toMatchObject({ status: null, refused: true });
    expect(literal.error).toMatch(/^refused: 127\.0\.0\.1, a loopback address/);
    const named = await send(`http://localhost:${port}/hook`, false);
    expect(named).toMatchObject({ status: null, refused: true });
    expect(named.error).toMatch(/^refused: localhost resolves to (127\.0\.0\.1|::1), a loopback address/);
    expect(receiver.received).toHaveLength(0);
  });

  it("sends to the same receiver when private targets are allowed", async () => {
    const result = await send(receiver.url, true);
    expect(result).toMatchObject({ status: 200, error: null, excerpt: "ok" });
    expect(receiver.received).toHaveLength(1);
  });

  it("reports an unreachable public name as an error, not as refused", async () => {
    const result = await send("http://nowcast-no-such-host.invalid/hook", false);
    expect(result.status).toBeNull();
    expect(result.refused).toBeUndefined();
    expect(result.error).toBeTruthy();
  });
});
