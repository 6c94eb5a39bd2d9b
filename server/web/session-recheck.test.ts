import { describe, expect, it } from "vitest";
import { socketsToCut, type LiveSession } from "./session-recheck";

describe("socketsToCut", () => {
  const sessions = new Map<string, LiveSession>([
    ["s-ok", { role: "viewer", banned: false }],
    ["s-banned", { role: "viewer", banned: true }],
    ["s-promoted", { role: "admin", banned: false }],
  ]);
  it.each([
    ["a live session with the same role", "s-ok", "viewer", false],
    ["a session that is gone or expired", "s-gone", "viewer", true],
    ["a disabled user", "s-banned", "viewer", true],
    ["a role changed since the handshake", "s-promoted", "viewer", true],
    ["no session id to verify", undefined, "viewer", true],
  ])("%s → cut: %s", (_, sessionId, role, cut) => {
    expect(socketsToCut([{ socketId: "x", sessionId, role }], sessions)).toEqual(cut ? ["x"] : []);
  });
});
