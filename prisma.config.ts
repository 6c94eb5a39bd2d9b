import path from "node:path";
import { defineConfig } from "prisma/config";

// Prisma 7 does not read .env by itself.
try {
  process.loadEnvFile();
} catch {
  // no .env file: the environment is used as is
}

// The CLI insists on a native schema engine that cannot be downloaded on our machines, even
// for `prisma generate`, which never runs it. Point it at a script that explains what to use
// instead (`npm run migrate`); a machine with the real engine sets the variable itself.
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.resolve("scripts/prisma-schema-engine-unavailable.mjs");

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/nowcast" },
});
