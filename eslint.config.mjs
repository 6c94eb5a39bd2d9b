import js from "@eslint/js";
import tseslint from "typescript-eslint";
import reactHooks from "eslint-plugin-react-hooks";
import { layerConfigs } from "./eslint.layers.mjs";

export default tseslint.config(
  {
    ignores: [
      "node_modules",
      ".next",
      "dist",
      ".data",
      "server/generated",
      "next-env.d.ts",
      "test-results",
      "playwright-report",
      // Deliberately broken files: the lint test (scripts/lint-layers.test.ts) lints them itself.
      "scripts/lint-fixtures",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.{ts,tsx}"],
    plugins: { "react-hooks": reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      "@typescript-eslint/no-non-null-assertion": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "no-restricted-properties": [
        "error",
        { object: "process", property: "env", message: "Read configuration through server/config.ts." },
      ],
    },
  },
  {
    // Composition roots and tooling may read the environment.
    files: [
      "server/config.ts",
      "scripts/**",
      "e2e/**",
      "bench/**",
      "*.config.ts",
      "*.config.mjs",
      "**/*.test.ts",
      "server/testing/**",
    ],
    rules: { "no-restricted-properties": "off" },
  },
  ...layerConfigs,
  {
    files: ["**/*.mjs"],
    languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly" } },
  },
);
