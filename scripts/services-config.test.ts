import { describe, expect, it } from "vitest";
import {
  classifyPgError,
  DEFAULT_DATABASE_URL,
  embeddedPortFor,
  embeddedUrl,
  isLocalHost,
  isPgStartingUp,
  maintenanceUrl,
  maskUrl,
  natsServerVersionSupported,
  parseNatsServerVersion,
  parseNatsTarget,
  parsePostgresTarget,
  parsePostmasterPid,
  planPostgresFallback,
  quoteIdentifier,
} from "./services-config.ts";

const refused = { kind: "unreachable", reason: "connect ECONNREFUSED" } as const;
const scram = { kind: "rejected", reason: "SASL: client password must be a string" } as const;

describe("parsePostgresTarget", () => {
  it("uses the default when DATABASE_URL is unset or blank", () => {
    for (const env of [undefined, "", "  "]) {
      const t = parsePostgresTarget(env);
      expect(t.raw).toBe(DEFAULT_DATABASE_URL);
      expect(t).toMatchObject({
        explicit: false,
        host: "127.0.0.1",
        port: 5432,
        portExplicit: true,
        database: "nowcast",
      });
    }
  });

  it("treats a copy of the default as not explicit", () => {
    expect(parsePostgresTarget(DEFAULT_DATABASE_URL).explicit).toBe(false);
  });

  it("reads host, port, database; port 5432 is implied when absent", () => {
    const t = parsePostgresTarget("postgres://u:p@db.example:6543/my%20db?sslmode=require");
    expect(t).toMatchObject({
      explicit: true,
      host: "db.example",
      port: 6543,
      portExplicit: true,
      database: "my db",
    });
    expect(parsePostgresTarget("postgresql://u@localhost/x")).toMatchObject({
      port: 5432,
      portExplicit: false,
    });
  });

  it("rejects other schemes, missing databases and garbage, without echoing the password", () => {
    expect(() => parsePostgresTarget("mysql://u:secret@h/x")).toThrow(/postgresql:\/\//);
    expect(() => parsePostgresTarget("postgresql://u:secret@h:5432")).toThrow(/names no database/);
    expect(() => parsePostgresTarget("postgresql://u:secret@h:5432")).not.toThrow(/secret/);
    expect(() => parsePostgresTarget("not a url")).toThrow(/not a valid URL/);
  });
});

describe("URLs", () => {
  it("maintenanceUrl swaps only the database", () => {
    expect(maintenanceUrl("postgresql://u:p@h:1/app?sslmode=disable")).toBe(
      "postgresql://u:p@h:1/postgres?sslmode=disable",
    );
  });

  it("embeddedUrl uses the fixed login on 127.0.0.1 and keeps database and options", () => {
    const t = parsePostgresTarget("postgresql://someone@localhost:5544/nowcast_x?connection_limit=5");
    expect(embeddedUrl(t, 5544)).toBe(
      "postgresql://postgres:nowcast@127.0.0.1:5544/nowcast_x?connection_limit=5",
    );
  });

  it("maskUrl hides passwords only", () => {
    expect(maskUrl("postgresql://postgres:nowcast@127.0.0.1:54329/nowcast")).toBe(
      "postgresql://postgres:***@127.0.0.1:54329/nowcast",
    );
    expect(maskUrl("nats://127.0.0.1:4222")).toBe("nats://127.0.0.1:4222");
    expect(maskUrl("postgresql://postgres@h/db")).toBe("postgresql://postgres@h/db");
    expect(maskUrl("nats://a:b@h:1,nats://c:d@h:2")).toBe("nats://a:***@h:1,nats://c:***@h:2");
    expect(maskUrl("postgresql://u:p@[broken")).toBe("postgresql://u:***@[broken");
  });

  it("isLocalHost knows the loopback names", () => {
    for (const h of ["127.0.0.1", "localhost", "LOCALHOST", "::1", "[::1]"])
      expect(isLocalHost(h)).toBe(true);
    for (const h of ["10.0.0.1", "db", "127.0.0.2"]) expect(isLocalHost(h)).toBe(false);
  });
});

describe("embeddedPortFor", () => {
  it("54329 for the default, the URL's port for an explicit local URL, none for a remote one", () => {
    expect(embeddedPortFor(parsePostgresTarget(undefined))).toBe(54329);
    expect(embeddedPortFor(parsePostgresTarget("postgresql://postgres@127.0.0.1:5432/other"))).toBe(5432);
    expect(embeddedPortFor(parsePostgresTarget("postgresql://postgres@localhost/other"))).toBe(54329);
    expect(embeddedPortFor(parsePostgresTarget("postgresql://postgres@db:5432/nowcast"))).toBeNull();
  });
});

describe("planPostgresFallback", () => {
  it("default URL: embedded on 54329 whether 5432 is down or refuses our login", () => {
    const t = parsePostgresTarget(undefined);
    expect(planPostgresFallback(t, refused)).toMatchObject({ action: "embedded", port: 54329 });
    expect(planPostgresFallback(t, scram)).toMatchObject({ action: "embedded", port: 54329 });
  });

  it("explicit local URL with a port: embedded on that port, but not over a server that refuses us", () => {
    const t = parsePostgresTarget("postgresql://postgres@127.0.0.1:54329/nowcast_scratch");
    expect(planPostgresFallback(t, refused)).toMatchObject({ action: "embedded", port: 54329 });
    expect(planPostgresFallback(t, scram)).toMatchObject({ action: "fail" });
  });

  it("explicit local URL naming 5432: embedded there if it is free, never over a server refusing us", () => {
    const t = parsePostgresTarget("postgresql://postgres@127.0.0.1:5432/nowcast_test");
    expect(planPostgresFallback(t, refused)).toMatchObject({ action: "embedded", port: 5432 });
    expect(planPostgresFallback(t, scram)).toMatchObject({ action: "fail" });
  });

  it("explicit local URL without a port falls back to 54329", () => {
    const t = parsePostgresTarget("postgresql://postgres@localhost/other");
    expect(planPostgresFallback(t, scram)).toMatchObject({ action: "embedded", port: 54329 });
  });

  it("explicit remote URL: never embedded", () => {
    const t = parsePostgresTarget("postgresql://app:secret@db.internal:5432/nowcast");
    const plan = planPostgresFallback(t, refused);
    expect(plan).toMatchObject({ action: "fail" });
    expect(plan.action === "fail" && plan.message).toMatch(/db\.internal:5432/);
  });
});

describe("classifyPgError", () => {
  it("network errors are unreachable, including an AggregateError for localhost", () => {
    expect(
      classifyPgError(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" }))
        .kind,
    ).toBe("unreachable");
    const both = new AggregateError([
      Object.assign(new Error("a"), { code: "ECONNREFUSED" }),
      Object.assign(new Error("b"), { code: "ECONNREFUSED" }),
    ]);
    expect(classifyPgError(both)).toMatchObject({
      kind: "unreachable",
      reason: "ECONNREFUSED, ECONNREFUSED",
    });
    expect(classifyPgError(new Error("Connection terminated due to connection timeout")).kind).toBe(
      "unreachable",
    );
  });

  it("anything a server said is a rejection", () => {
    expect(
      classifyPgError(Object.assign(new Error("password authentication failed"), { code: "28P01" })).kind,
    ).toBe("rejected");
    expect(
      classifyPgError(new Error("SASL: SCRAM-SERVER-FIRST-MESSAGE: client password must be a string")).kind,
    ).toBe("rejected");
  });

  it("recognises a server that is still starting", () => {
    expect(
      isPgStartingUp(Object.assign(new Error("the database system is starting up"), { code: "57P03" })),
    ).toBe(true);
    expect(isPgStartingUp(new Error("x"))).toBe(false);
  });
});

describe("quoteIdentifier", () => {
  it("double-quotes and escapes embedded quotes", () => {
    expect(quoteIdentifier("nowcast")).toBe('"nowcast"');
    expect(quoteIdentifier('a"; DROP DATABASE x; --')).toBe('"a""; DROP DATABASE x; --"');
  });
  it("refuses NUL", () => {
    expect(() => quoteIdentifier("a\0b")).toThrow(/NUL/);
  });
});

describe("NATS helpers", () => {
  it("parseNatsTarget: default, explicit, lists and bare host:port", () => {
    expect(parseNatsTarget(undefined)).toMatchObject({ explicit: false, host: "127.0.0.1", port: 4222 });
    expect(parseNatsTarget("nats://127.0.0.1:14222")).toMatchObject({ explicit: true, port: 14222 });
    expect(parseNatsTarget("nats://a:1, nats://b:2")).toMatchObject({
      servers: ["nats://a:1", "nats://b:2"],
      host: "a",
      port: 1,
    });
    expect(parseNatsTarget("localhost:5000")).toMatchObject({ host: "localhost", port: 5000 });
  });

  it("reads and judges nats-server versions", () => {
    expect(parseNatsServerVersion("nats-server: v2.9.10\n")).toEqual([2, 9, 10]);
    expect(parseNatsServerVersion("garbage")).toBeNull();
    expect(natsServerVersionSupported([2, 9, 0])).toBe(true);
    expect(natsServerVersionSupported([2, 10, 1])).toBe(true);
    expect(natsServerVersionSupported([3, 0, 0])).toBe(true);
    expect(natsServerVersionSupported([2, 8, 4])).toBe(false);
  });
});

describe("parsePostmasterPid", () => {
  it("reads pid and port", () => {
    expect(parsePostmasterPid("4242\n/data\n1732500000\n54329\n/tmp\n")).toEqual({ pid: 4242, port: 54329 });
    expect(parsePostmasterPid("4242\n")).toEqual({ pid: 4242, port: null });
    expect(parsePostmasterPid("")).toBeNull();
  });
});
