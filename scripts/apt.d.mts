// Types for scripts/apt.mjs, which stays plain JavaScript so it runs before `npm ci`.
export declare function canUseApt(): boolean;
export declare function aptInstall(packages: string[]): Promise<void>;
