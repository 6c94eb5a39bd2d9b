import { FraudRuleSet, type FraudRuleSetInput } from "../../contract/fraud";

/**
 * The rule set a new installation starts with (version 1, seeded by the migration with the
 * same JSON): the patterns the bench measures — card testing, account takeover, velocity
 * spikes (docs/decisions/0034). Admins replace it at /admin/fraud.
 */
export const DEFAULT_RULE_SET_INPUT: FraudRuleSetInput = {
  flagThreshold: 60,
  allow: [],
  block: [],
  rules: [
    {
      id: "card_testing",
      description: "many small amounts on one card within a minute",
      when: [
        { feature: "card_count_1m", op: "gte", value: 5 },
        { feature: "amount", op: "lte", value: 5 },
      ],
      effect: { kind: "score", points: 70 },
    },
    {
      id: "card_burst",
      description: "a card used very often within an hour",
      when: [{ feature: "card_count_1h", op: "gte", value: 12 }],
      effect: { kind: "score", points: 60 },
    },
    {
      id: "new_device_abroad",
      description: "a device new to the customer, outside the home country",
      when: [
        { feature: "new_device", op: "is", value: true },
        { feature: "country_mismatch", op: "is", value: true },
      ],
      effect: { kind: "score", points: 35 },
    },
    {
      id: "large_new_device_abroad",
      description: "a large amount from a new device abroad",
      when: [
        { feature: "new_device", op: "is", value: true },
        { feature: "country_mismatch", op: "is", value: true },
        { feature: "amount", op: "gte", value: 250 },
      ],
      effect: { kind: "score", points: 30 },
    },
    {
      id: "amount_spike",
      description: "far above the customer's own 90-day amounts",
      when: [
        { feature: "amount_ratio_p95_90d", op: "gte", value: 4 },
        { feature: "history_count_90d", op: "gte", value: 5 },
      ],
      effect: { kind: "score", points: 35 },
    },
    {
      id: "customer_velocity",
      description: "one customer transacting many times within an hour",
      when: [{ feature: "customer_count_1h", op: "gte", value: 8 }],
      effect: { kind: "score", points: 60 },
    },
    {
      id: "many_countries",
      description: "one card in three or more countries within 24 h",
      when: [{ feature: "card_countries_24h", op: "gte", value: 3 }],
      effect: { kind: "score", points: 40 },
    },
  ],
};

export const DEFAULT_RULE_SET: FraudRuleSet = FraudRuleSet.parse(DEFAULT_RULE_SET_INPUT);
