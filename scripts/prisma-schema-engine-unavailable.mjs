#!/usr/bin/env node
// Stand-in for Prisma's native schema engine, which cannot be downloaded on these machines
// (see docs/decisions/0002-migrations-without-schema-engine.md). `prisma generate` only
// needs the file to exist; commands that would run the engine get a clear message instead.
process.stderr.write(
  "The Prisma schema engine cannot be downloaded on this machine.\n" +
    "Apply migrations with `npm run migrate`; write new ones by hand in prisma/migrations/.\n",
);
process.exit(1);
