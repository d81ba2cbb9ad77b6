/** Types of tests/limits.js (the one place for time limits; see there). */
export declare const limits: {
  readonly timeFactor: number;
  readonly testSeconds: { readonly unit: number; readonly conformance: number; readonly engine: number };
  readonly probe: { readonly attempts: number; readonly connectSeconds: number };
};
export declare function timeFactor(env?: NodeJS.ProcessEnv): number;
export declare function limitMs(quietSeconds: number): number;
export declare function testTimeoutMs(kind: "unit" | "conformance" | "engine"): number;
