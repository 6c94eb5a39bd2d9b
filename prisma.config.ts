import { defineConfig } from "prisma/config";

// Prisma 7 does not read .env by itself.
try {
  process.loadEnvFile();
} catch {
  // no .env file: the environment is used as is
}

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/nowcast" },
});
