/**
 * Time limits for the tests and conformance checks, from the one place that sets them
 * (tests/limits.json): what a step takes on a quiet machine, times the factor that leaves
 * room for a loaded one. Used by the jest configs, the tests (tests/limits.d.ts) and, through
 * OPENCLAW_VPS_TIME_FACTOR, the conformance scripts (tests/conformance/lib.sh `limit`).
 */
const limits = require("./limits.json");

/** The factor: OPENCLAW_VPS_TIME_FACTOR when set (a positive number), else tests/limits.json's. */
function timeFactor(env = process.env) {
  const given = env.OPENCLAW_VPS_TIME_FACTOR;
  if (given === undefined || given === "") return limits.timeFactor;
  const n = Number(given);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`OPENCLAW_VPS_TIME_FACTOR: given ${JSON.stringify(given)}; expected a positive number`);
  return n;
}

/** A limit in milliseconds for a step that takes `quietSeconds` on a quiet machine. */
function limitMs(quietSeconds) {
  return Math.round(quietSeconds * timeFactor() * 1000);
}

/** Each jest config's per-test limit, in milliseconds. */
function testTimeoutMs(kind) {
  return limitMs(limits.testSeconds[kind]);
}

module.exports = { limits, timeFactor, limitMs, testTimeoutMs };
