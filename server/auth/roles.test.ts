import { describe, expect, it } from "vitest";
import { decide, navFor, type AccessRule, type Principal } from "./roles";

const user = (role: "viewer" | "analyst" | "admin"): Principal => ({
  kind: "user",
  id: role,
  name: role,
  role,
  scope: null,
});
const key = (scope: "ingest" | "read"): Principal => ({
  kind: "api_key",
  id: scope,
  name: scope,
  role: null,
  scope,
});

describe("decide", () => {
  const cases: Array<[string, Principal | null, AccessRule, ReturnType<typeof decide>]> = [
    ["anonymous", null, { role: "viewer" }, "unauthenticated"],
    ["viewer on viewer", user("viewer"), { role: "viewer" }, "allowed"],
    ["viewer on analyst", user("viewer"), { role: "analyst" }, "forbidden"],
    ["analyst on analyst", user("analyst"), { role: "analyst" }, "allowed"],
    ["analyst on admin", user("analyst"), { role: "admin" }, "forbidden"],
    ["admin on viewer", user("admin"), { role: "viewer" }, "allowed"],
    ["admin on a key-only route", user("admin"), { apiKey: "ingest" }, "forbidden"],
    ["ingest key on ingest", key("ingest"), { apiKey: "ingest" }, "allowed"],
    ["read key on ingest", key("read"), { apiKey: "ingest" }, "forbidden"],
    ["read key on read route", key("read"), { role: "analyst", apiKey: "read" }, "allowed"],
    ["ingest key on read route", key("ingest"), { role: "analyst", apiKey: "read" }, "forbidden"],
    ["read key on a session-only route", key("read"), { role: "viewer" }, "forbidden"],
  ];
  it.each(cases)("%s", (_, principal, rule, verdict) => {
    expect(decide(principal, rule)).toBe(verdict);
  });
});

describe("navFor", () => {
  it.each([
    ["viewer", ["/live", "/alerts"]],
    ["analyst", ["/live", "/alerts", "/reports", "/jobs", "/fraud"]],
    [
      "admin",
      [
        "/live",
        "/alerts",
        "/reports",
        "/jobs",
        "/fraud",
        "/admin/users",
        "/admin/api-keys",
        "/admin/alerts",
        "/admin/fraud",
        "/admin/audit",
      ],
    ],
  ] as const)("%s sees exactly its pages", (role, hrefs) => {
    expect(navFor(role).map((i) => i.href)).toEqual(hrefs);
  });
});
