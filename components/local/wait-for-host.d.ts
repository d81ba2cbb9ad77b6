/** Types for wait-for-host.js (plain JavaScript, run by Node without TypeScript). */
/** Seconds between attempts. */
export const RETRY_SECONDS: number;
/** Seconds between progress lines (at most 30). */
export const PROGRESS_SECONDS: number;
export function progressLine(host: string, port: string, timeoutSeconds: string, elapsedMs: number, lastError: string): string;
export function startProgress(options: {
  everyMs: number;
  startMs: number;
  now: () => number;
  setInterval: (f: () => void, ms: number) => unknown;
  clearInterval: (id: unknown) => void;
  print: (line: string) => void;
  describe: (elapsedMs: number) => string;
}): () => void;
