/**
 * Summarises a saved processor CPU profile again.
 * Run: npx tsx bench/analyze-profile.ts bench/results/profiles/<name>.cpuprofile
 */
import { readFileSync } from "node:fs";
import type { Profiler } from "node:inspector";
import { summarizeProfile } from "./lib/cpu-profile";
import { printProfile } from "./lib/report";

const file = process.argv[2];
if (!file) {
  console.error("usage: npx tsx bench/analyze-profile.ts <file.cpuprofile>");
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, "utf8")) as Profiler.Profile;
printProfile(summarizeProfile(profile, 20), undefined);
