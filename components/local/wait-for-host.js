#!/usr/bin/env node
// Waits on the operator's machine until a host answers on a TCP port, polling every 5 s.
// Remote commands dial without any delay between attempts, so a server that is still
// booting (or not yet on the tailnet) would use up their retries at once.
// While it waits it prints a progress line on stderr, at the first failed attempt and then
// every 20 s: how long it has waited, for what, and the last connect error. pulumi-command
// shows each line of a local command's stdout and stderr as it comes, so a user watching
// `pulumi up` sees that the step is alive; stdout keeps only the outcome.
// With the server's pinned host key (components/hostKey.ts), it then asks the host for its
// key with ssh-keyscan, where that is installed, and stops the deployment with an
// explanation if another key answers. (The steps themselves refuse such a host anyway, with
// only "host key mismatch".)
// Usage: node components/local/wait-for-host.js <host> <port> <timeout seconds> ['<pinned host key>']
"use strict";
const net = require("net");
const { spawnSync } = require("child_process");
const { createHash } = require("crypto");
const { Buffer } = require("buffer");
const timers = require("timers");
const { parseHostKey } = require("./ssh-pin");

/** Seconds between attempts. */
const RETRY_SECONDS = 5;
/** Seconds between progress lines: at most 30, so a watching user never waits longer for a sign of life. */
const PROGRESS_SECONDS = 20;

/** A progress line: for what, for how long so far (of how long at most), and the last error. */
function progressLine(host, port, timeoutSeconds, elapsedMs, lastError) {
  return `waiting for ${host}:${port} to answer: ${Math.floor(elapsedMs / 1000)} s so far, at most ${timeoutSeconds} s; last error: ${lastError || "none yet"}`;
}

/**
 * Progress while a wait goes on: `describe(elapsed ms since startMs)` is printed at once,
 * then every `everyMs`, until the returned function stops it. The clock and the timers are
 * parameters, so a test can drive them.
 */
function startProgress({ everyMs, startMs, now, setInterval, clearInterval, print, describe }) {
  const say = () => print(describe(now() - startMs));
  say();
  const id = setInterval(say, everyMs);
  return () => clearInterval(id);
}

const [host, port, timeout, pinned] = require.main === module ? process.argv.slice(2) : [];
if (require.main === module && (!host || !port || !timeout)) {
  console.error("usage: node components/local/wait-for-host.js <host> <port> <timeout seconds> ['<pinned host key>']");
  process.exit(2);
}

const fingerprint = (body) => `SHA256:${createHash("sha256").update(Buffer.from(body, "base64")).digest("base64").replace(/=+$/, "")}`;

/** 0 when the host shows the pinned key (or cannot be asked), 1 with an explanation when not. */
function checkHostKey() {
  if (!pinned) return 0;
  const want = parseHostKey(pinned);
  // ssh-keyscan's lines: `host type base64`, for the types asked for (all when none is).
  const scan = (types) => {
    // Each scan may take its whole 30 s: a line before each keeps the wait's "alive" promise.
    console.error(`asking ${host}:${port} for its ${types ? `${types} host key` : "host keys of every type"} (ssh-keyscan, at most 30 s)`);
    const r = spawnSync("ssh-keyscan", ["-T", "10", ...(types ? ["-t", types] : []), "-p", String(port), host], { encoding: "utf8", timeout: 30000 });
    if (r.error) return { error: r.error.code || r.error.message, keys: [] };
    const keys = r.stdout
      .split("\n")
      .map((line) => line.trim().split(/\s+/))
      .filter((f) => f.length >= 3 && !f[0].startsWith("#"))
      .map((f) => ({ type: f[1], body: f[2] }));
    return { keys };
  };
  const first = scan(want.type);
  if (first.error) {
    console.log(`ssh-keyscan is not available (${first.error}): the steps check the host key themselves`);
    return 0;
  }
  let shown = first.keys.filter((k) => k.type === want.type).map((k) => k.body);
  if (shown.length === 0) {
    // Every type: a busy host may not have answered the first scan in time (ssh-keyscan then
    // prints nothing), and answer this one with the very type asked for.
    const all = scan().keys;
    shown = all.filter((k) => k.type === want.type).map((k) => k.body);
    const offered = [...new Set(all.map((k) => k.type))];
    if (shown.length === 0 && offered.length > 0) {
      console.error(`${host}:${port} offers only ${offered.join(", ")} host keys, not this stack's ${want.type} key ${fingerprint(want.body)}: it is not this stack's server. Nothing was sent to it.`);
      return 1;
    }
  }
  if (shown.length === 0) {
    console.log(`${host}:${port} showed no host key to ssh-keyscan: the steps check the host key themselves`);
    return 0;
  }
  if (shown.every((body) => body === want.body)) {
    console.log(`${host}:${port} shows the pinned host key ${fingerprint(want.body)}`);
    return 0;
  }
  console.error(
    [
      `${host}:${port} answers with host key ${fingerprint(shown[0])}, not this stack's ${fingerprint(want.body)}.`,
      "Nothing was sent to it. Either another machine answers at this address (a stale tailnet",
      "device with this name, or an impostor), or the server was created before this program",
      "pinned host keys: then rebuild it once (docs/operations.md, \"Moving or rebuilding the",
      "server\"; set restoreOnRebuild to keep its state).",
    ].join("\n"),
  );
  return 1;
}
const started = Date.now();
const deadline = started + Number(timeout) * 1000;
let attempts = 0;
let lastError = "";
let stopProgress;

function tryOnce() {
  attempts += 1;
  const socket = net.connect({ host, port: Number(port), timeout: 5000 });
  socket.once("connect", () => {
    socket.destroy();
    if (stopProgress) stopProgress();
    console.log(`${host}:${port} answered after ${attempts} attempt(s)`);
    process.exit(checkHostKey());
  });
  const retry = (err) => {
    socket.destroy();
    lastError = err ? err.code || err.message : "timed out";
    if (Date.now() >= deadline) {
      if (stopProgress) stopProgress();
      console.error(
        [
          `${host}:${port} did not answer within ${timeout} s (last error: ${lastError}).`,
          "Check, in this order:",
          "  1. this machine is on the tailnet with MagicDNS on (tailscale status);",
          "  2. the tailnet admin page lists the server, under this name and not as name-1",
          "     (a stale device with the same name takes the name: remove it);",
          "  3. the server's console log in the cloud's web console: cloud-init output,",
          "     especially the tailscale-join step (an expired or used auth key, a tag the key",
          "     may not use, or a tag missing from the tailnet policy).",
        ].join("\n"),
      );
      process.exit(1);
    }
    if (!stopProgress) {
      stopProgress = startProgress({
        everyMs: PROGRESS_SECONDS * 1000,
        startMs: started,
        now: Date.now,
        setInterval: timers.setInterval,
        clearInterval: timers.clearInterval,
        print: (line) => console.error(line),
        describe: (elapsedMs) => progressLine(host, port, timeout, elapsedMs, lastError),
      });
    }
    setTimeout(tryOnce, RETRY_SECONDS * 1000);
  };
  socket.once("error", retry);
  socket.once("timeout", () => retry());
}

if (require.main === module) tryOnce();

module.exports = { PROGRESS_SECONDS, RETRY_SECONDS, progressLine, startProgress };
