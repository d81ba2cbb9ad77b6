#!/usr/bin/env node
// Waits on the operator's machine until a host answers on a TCP port, polling every 5 s.
// Remote commands dial without any delay between attempts, so a server that is still
// booting (or not yet on the tailnet) would use up their retries at once.
// Usage: node scripts/wait-for-host.js <host> <port> <timeout seconds>
"use strict";
const net = require("net");

const [host, port, timeout] = process.argv.slice(2);
if (!host || !port || !timeout) {
  console.error("usage: node scripts/wait-for-host.js <host> <port> <timeout seconds>");
  process.exit(2);
}
const deadline = Date.now() + Number(timeout) * 1000;
let attempts = 0;
let lastError = "";

function tryOnce() {
  attempts += 1;
  const socket = net.connect({ host, port: Number(port), timeout: 5000 });
  socket.once("connect", () => {
    socket.destroy();
    console.log(`${host}:${port} answered after ${attempts} attempt(s)`);
    process.exit(0);
  });
  const retry = (err) => {
    socket.destroy();
    lastError = err ? err.code || err.message : "timed out";
    if (Date.now() >= deadline) {
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
    setTimeout(tryOnce, 5000);
  };
  socket.once("error", retry);
  socket.once("timeout", () => retry());
}

tryOnce();
