// Types for scripts/runtime.mjs, which stays plain JavaScript so it runs before `npm ci`.
export declare const ROOT: string;
export declare class RuntimeError extends Error {}
export interface Runtime {
  execPath: string;
  version: string;
  source: "node_modules" | "system";
}
export interface RuntimeOptions {
  root?: string;
  current?: { execPath: string; version: string };
  probe?: (execPath: string) => string | null;
}
export declare function minimumFromRange(range: string): string;
export declare function requiredNodeVersion(root?: string): string;
export declare function satisfies(version: string, minimum: string): boolean;
export declare function projectNodePath(root?: string): string | null;
export declare function probeVersion(execPath: string): string | null;
export declare function chooseRuntime(options?: RuntimeOptions): Runtime;
export declare function runtimeEnv(
  env: Record<string, string | undefined>,
  root?: string,
): Record<string, string | undefined>;
export declare function withoutProjectBin(
  env: Record<string, string | undefined>,
  root?: string,
): Record<string, string | undefined>;
export declare function describeRuntime(runtime: Runtime): string;
