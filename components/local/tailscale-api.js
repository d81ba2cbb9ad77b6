// The Tailscale API's address and an access token, for the scripts `pulumi up` and the
// staging workflow run on the operator's (or the runner's) machine: tailscale-device.js,
// tailnet-policy.js, staging-sweep.js. Credentials from the environment only, never argv:
// TAILSCALE_API_KEY, or TAILSCALE_OAUTH_CLIENT_ID + TAILSCALE_OAUTH_CLIENT_SECRET (exchanged
// for a token once per process); TAILSCALE_BASE_URL overrides https://api.tailscale.com, as
// for the Tailscale provider.
"use strict";

const base = (process.env.TAILSCALE_BASE_URL || "https://api.tailscale.com").replace(/\/$/, "");

/** Whether the environment holds Tailscale API credentials. */
function hasCredentials() {
  return Boolean(process.env.TAILSCALE_API_KEY || (process.env.TAILSCALE_OAUTH_CLIENT_ID && process.env.TAILSCALE_OAUTH_CLIENT_SECRET));
}

let token;
async function accessToken() {
  if (token) return token;
  if (process.env.TAILSCALE_API_KEY) return (token = process.env.TAILSCALE_API_KEY);
  const id = process.env.TAILSCALE_OAUTH_CLIENT_ID;
  const secret = process.env.TAILSCALE_OAUTH_CLIENT_SECRET;
  if (!id || !secret) throw new Error("no Tailscale credentials in the environment");
  const res = await fetch(`${base}/api/v2/oauth/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ client_id: id, client_secret: secret }),
    signal: AbortSignal.timeout(30_000),
  });
  if (!res.ok) throw new Error(`OAuth token request failed: HTTP ${res.status}`);
  return (token = (await res.json()).access_token);
}

module.exports = { base, hasCredentials, accessToken };
