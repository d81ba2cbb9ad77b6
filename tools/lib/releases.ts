/**
 * OpenClaw releases the checks use beside the configured one.
 *
 * A real release that refuses the state the configured one (2026.9.6) writes: its SQLite
 * schema is 17, 2026.9.6's is 18. Switching to it is a version change that must fail and
 * roll back, in the rehearsal and in the conformance checks.
 */
export const REFUSING_OPENCLAW_VERSION = "2026.9.5";
