/** Types for health.js (the light health check), for the tests. */
export interface HealthFacts {
  active?: string;
  restarts?: number;
  memoryCurrent?: number;
  memoryMax?: number;
  health?: number;
  /** GET /readyz on loopback: its status and, from OpenClaw's answer, what fails and the uptime. */
  ready?: { status: number; failing?: string[]; uptimeMs?: number };
  serveProblems?: string[];
  diskShare?: number;
  inodeShare?: number;
  memoryPressure?: number;
  /** Off-site backups, when configured: when, and offsite.sh's last result. */
  offsite?: { configuredAt: number; now: number; status?: { ok: boolean; at: string; error?: string } };
}
export interface HealthStatus {
  checkedAt: string;
  ok: boolean;
  problems: Record<string, string>;
  told: Record<string, { since: number; text: string }>;
  sent: number[];
  restarts?: number;
  heartbeat?: { at: string; sent: boolean; error?: string };
}
export function judgeHealth(facts: HealthFacts, previousRestarts?: number): Record<string, string>;
export function nextStatus(previous: Partial<HealthStatus> | undefined, problems: Record<string, string>, now: number, host: string): { status: HealthStatus; messages: string[] };
export const LIMITS: { memoryShare: number; diskShare: number; inodeShare: number; memoryPressure: number; restarts: number };
export const MAX_MESSAGES_PER_HOUR: number;
export const READY_GRACE_MS: number;
export function heartbeatUrl(file?: string): string | undefined;
export function sendHeartbeat(url: string, options?: { tries?: number; pauseMs?: number }): Promise<"sent">;
