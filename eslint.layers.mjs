import { createTypeScriptImportResolver } from "eslint-import-resolver-typescript";
import { importX } from "eslint-plugin-import-x";

/**
 * The layers of docs/decisions/0025 enforced by lint, by directory: a new file in a layer's
 * folder is covered without touching this list. Tests may reach further (fixtures, twins),
 * so the layer rules apply to production files only; the cycle rule applies to all.
 */

const TESTS = ["**/*.test.ts", "**/*.test.tsx"];

// Adapters and processes: what the pure layers must never reach.
const NOT_PURE =
  "server/core and server/contract are pure: they import only contract, core and pure libraries";

/** Packages the pure core may use: computation only, no I/O (docs/decisions/0025). */
const CORE_PACKAGES = ["zod", "date-fns", "@date-fns/tz", "@datadog/sketches-js", "papaparse"];

const onlyPackages = (allowed) => ({
  // Anything that is neither relative nor one of `allowed` (node: modules included).
  regex: `^(?!\\.{1,2}/|(${allowed.map((p) => p.replace(/[/.]/g, "\\$&")).join("|")})(/|$))`,
});

const zones = [
  {
    target: "./server/contract",
    from: ["./server", "./app", "./components"],
    except: ["./contract"],
    message: "server/contract imports only zod and itself.",
  },
  {
    target: "./server/core",
    from: ["./server", "./app", "./components"],
    except: ["./core", "./contract"],
    message: `${NOT_PURE}.`,
  },
  {
    // Adapters: Postgres and NATS. They serve processes and never call back into one.
    target: ["./server/db", "./server/nats"],
    from: "./server",
    except: ["./contract", "./core", "./db", "./nats", "./generated", "./log.ts", "./config.ts"],
    message: "adapters (server/db, server/nats) never import process code.",
  },
  {
    target: ["./server/db", "./server/nats"],
    from: ["./app", "./components", "./scripts", "./bench"],
    message: "adapters (server/db, server/nats) never import process code.",
  },
  {
    // Auth is used by the web role; the web role's service locator must not be used by auth.
    target: "./server/auth",
    from: ["./server/web", "./server/processor", "./server/scheduler", "./app", "./components"],
    message: "server/auth is used by the web role, never the other way round: pass what it needs in.",
  },
  {
    target: ["./app", "./components"],
    from: [
      "./server/db",
      "./server/nats",
      "./server/processor",
      "./server/scheduler",
      "./server/simulator",
      "./server/testing",
      "./server/generated",
    ],
    message: "app/ and components/ reach the server only through verbs (server/web route handlers).",
  },
  {
    // Components run in the browser: types and pure functions only, data over HTTP.
    target: "./components",
    from: "./server",
    except: ["./contract", "./core"],
    message:
      "components/ are browser code: they import only server/contract and server/core, and use the API.",
  },
];

export const layerConfigs = [
  {
    files: ["**/*.{ts,tsx,mts}"],
    plugins: { "import-x": importX },
    settings: {
      // import-x parses the imported files too (no-cycle follows them): TypeScript's parser.
      "import-x/extensions": importX.flatConfigs.typescript.settings["import-x/extensions"],
      "import-x/parsers": importX.flatConfigs.typescript.settings["import-x/parsers"],
      "import-x/resolver-next": [createTypeScriptImportResolver({ alwaysTryTypes: true })],
    },
    rules: {
      "import-x/no-cycle": ["error", { ignoreExternal: true }],
    },
  },
  {
    files: ["server/**/*.ts", "app/**/*.{ts,tsx}", "components/**/*.{ts,tsx}"],
    ignores: TESTS,
    rules: { "import-x/no-restricted-paths": ["error", { zones }] },
  },
  {
    files: ["server/contract/**/*.ts"],
    ignores: TESTS,
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [{ ...onlyPackages(["zod"]), message: "server/contract imports only zod." }] },
      ],
    },
  },
  {
    files: ["server/core/**/*.ts"],
    ignores: TESTS,
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              ...onlyPackages(CORE_PACKAGES),
              message: `server/core is pure (no I/O, no node: modules); allowed packages: ${CORE_PACKAGES.join(", ")}.`,
            },
          ],
        },
      ],
    },
  },
];
