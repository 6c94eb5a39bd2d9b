import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "./config";

describe("parseConfig: batch layer", () => {
  it("accepts the defaults", () => {
    const config = parseConfig({});
    expect(config).toMatchObject({
      RECONCILE_WINDOW_DAYS: 7,
      RETENTION_RAW_DAYS: 30,
      RETENTION_1M_DAYS: 190,
      RETENTION_1H_DAYS: 400,
      RETENTION_1D_DAYS: 1830,
      RETENTION_FRAUD_DAYS: 400,
      NOWCAST_WEBHOOK_ALLOW_PRIVATE: false,
      NOWCAST_IDLE_TIMEOUT_MS: 10_000,
    });
  });

  it.each([
    [
      "raw shorter than the reconciliation window",
      { RETENTION_RAW_DAYS: "5" },
      "RETENTION_RAW_DAYS: must be ≥ 8",
    ],
    ["1m shorter than the window", { RETENTION_1M_DAYS: "3" }, "RETENTION_1M_DAYS: must be ≥ 8"],
    ["1h shorter than 1m", { RETENTION_1H_DAYS: "100" }, "RETENTION_1H_DAYS: must be ≥ 190"],
    ["1d shorter than 1h", { RETENTION_1D_DAYS: "300" }, "RETENTION_1D_DAYS: must be ≥ 400"],
    [
      "fraud state shorter than the amount history of the oldest accepted transaction",
      { RETENTION_FRAUD_DAYS: "97" },
      "RETENTION_FRAUD_DAYS: must be ≥ 98",
    ],
    [
      "a webhook switch that is not true or false",
      { NOWCAST_WEBHOOK_ALLOW_PRIVATE: "yes" },
      'NOWCAST_WEBHOOK_ALLOW_PRIVATE: must be "true" or "false"',
    ],
    ["not a number", { RETENTION_RAW_DAYS: "thirty" }, "RETENTION_RAW_DAYS:"],
    ["plan interval too short", { SCHEDULER_PLAN_INTERVAL_MS: "10" }, "SCHEDULER_PLAN_INTERVAL_MS:"],
    ["idle timeout below a second", { NOWCAST_IDLE_TIMEOUT_MS: "10" }, "NOWCAST_IDLE_TIMEOUT_MS:"],
  ])("rejects %s, naming the variable", (_name, env, message) => {
    expect(() => parseConfig(env)).toThrow(ConfigError);
    expect(() => parseConfig(env)).toThrow(message);
  });
});
