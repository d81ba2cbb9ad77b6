#!/usr/bin/env node
// Removes a device from the tailnet through the Tailscale API, so destroying or replacing
// the server leaves no stale machine behind (and no `openclaw-1` on the next deploy).
// Usage: node scripts/tailscale-device.js delete <device or node id>
// Credentials come from the environment only, never the command line:
//   TAILSCALE_API_KEY, or TAILSCALE_OAUTH_CLIENT_ID + TAILSCALE_OAUTH_CLIENT_SECRET;
//   TAILSCALE_BASE_URL overrides https://api.tailscale.com (as for the Tailscale provider).
"use strict";

const base = (process.env.TAILSCALE_BASE_URL || "https://api.tailscale.com").replace(/\/$/, "");

async function accessToken() {
  if (process.env.TAILSCALE_API_KEY) return process.env.TAILSCALE_API_KEY;
  const id = process.env.TAILSCALE_OAUTH_CLIENT_ID;
  const secret = process.env.TAILSCALE_OAUTH_CLIENT_SECRET;
  if (!id || !secret) throw new Error("no Tailscale credentials in the environment");
  const res = await fetch(`${base}/api/v2/oauth/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ client_id: id, client_secret: secret }),
  });
  if (!res.ok) throw new Error(`OAuth token request failed: HTTP ${res.status}`);
  return (await res.json()).access_token;
}

async function main(argv) {
  const [verb, device] = argv;
  if (verb !== "delete" || !device || !/^[A-Za-z0-9]+$/.test(device)) {
    console.error("usage: node scripts/tailscale-device.js delete <device id>");
    return 2;
  }
  const res = await fetch(`${base}/api/v2/device/${device}`, {
    method: "DELETE",
    headers: { authorization: `Bearer ${await accessToken()}` },
  });
  if (res.status === 404) {
    console.log(`tailnet device ${device} was already gone`);
    return 0;
  }
  if (!res.ok) {
    console.error(`could not remove tailnet device ${device}: HTTP ${res.status}; remove it in the Tailscale admin console`);
    return 1;
  }
  console.log(`removed tailnet device ${device}`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(`could not remove the tailnet device: ${err.message}; remove it in the Tailscale admin console`);
    process.exit(1);
  },
);
