/** Types for judge.js (plain JavaScript, run by Node on the server). */
export function judgeValidate(text: string): string[];
export function judgeAudit(text: string): string[];
export function judgeSecretsAudit(text: string, stateDir: string): string[];
export function judgeServe(text: string, dnsName: string): string[];
export function judgeTelegram(configText: string): string[];
export function judgeCoding(configText: string): string[];
export function judgePosture(configText: string, postureText: string): string[];
export function judgeListeners(ssText: string, ipAddrText: string, extra?: string): string[];
export function tailnetAddresses(ipAddrText: string): string[];
export function canonicalAddress(text: string): string | null;
export function describeTelegram(configText: string): string;
export function auditCounts(text: string): { critical: number | null; warn: number | null; info: number | null };
export const GATEWAY_BACKEND: string;
export const MODEL_KEY_NAMES: readonly string[];
