#!/usr/bin/env node
// Removes what an earlier staging run left behind (.github/workflows/staging.yml): a run that
// failed before `pulumi destroy`, or whose runner died, leaves a server, its firewall and its
// tailnet device. Only what carries a staging stack's marks is touched:
//   Hetzner       servers and firewalls labelled managed-by=pulumi, project=<project> and a
//                 `stack` label starting with <prefix>
//   DigitalOcean  droplets and firewalls tagged <project>-<prefix>..., and those tags
//   Tailscale     devices whose hostname starts with <hostname prefix> and that carry tag:openclaw
// Servers go first (a Hetzner firewall still applied cannot be deleted).
//
//   node commands/staging-sweep.js <project> <stack prefix> <hostname prefix> [--dry-run]
//
// Credentials come from the environment only: HCLOUD_TOKEN, DIGITALOCEAN_TOKEN (each cloud is
// swept when its token is set), TAILSCALE_OAUTH_CLIENT_ID + TAILSCALE_OAUTH_CLIENT_SECRET or
// TAILSCALE_API_KEY. The APIs' addresses are their providers' overrides: HCLOUD_ENDPOINT,
// DIGITALOCEAN_API_URL, TAILSCALE_BASE_URL. Prints one line per resource removed.
"use strict";
const { URL } = require("node:url");

const HCLOUD = (process.env.HCLOUD_ENDPOINT || "https://api.hetzner.cloud/v1").replace(/\/$/, "");
const DIGITALOCEAN = (process.env.DIGITALOCEAN_API_URL || "https://api.digitalocean.com").replace(/\/$/, "");
const { accessToken, base: TAILSCALE, hasCredentials } = require("../components/local/tailscale-api");

/** What to remove, from what the APIs list: pure, so the rules are tested on their own. */
function chooseHcloud(items, project, prefix) {
  return items.filter((x) => x.labels && x.labels["managed-by"] === "pulumi" && x.labels.project === project && String(x.labels.stack || "").startsWith(prefix));
}
function chooseDigitalocean(items, project, prefix) {
  const mark = `${project}-${prefix}`;
  return items.filter((x) => (x.tags || []).some((t) => String(typeof t === "string" ? t : t.name).startsWith(mark)));
}
function chooseDevices(devices, hostnamePrefix) {
  return devices.filter((d) => String(d.hostname || "").startsWith(hostnamePrefix) && (d.tags || []).includes("tag:openclaw"));
}

async function call(method, url, token, what) {
  const res = await fetch(url, { method, headers: { authorization: `Bearer ${token}`, accept: "application/json" }, signal: AbortSignal.timeout(30_000) });
  const text = await res.text();
  if (!res.ok && !(method === "DELETE" && res.status === 404)) throw new Error(`${what}: HTTP ${res.status} ${text.slice(0, 200)}`);
  return text ? JSON.parse(text) : {};
}

/** Every page of a Hetzner list. */
async function hcloudList(kind, token, project) {
  const out = [];
  for (let page = 1; page; ) {
    const selector = encodeURIComponent(`managed-by=pulumi,project=${project}`);
    const body = await call("GET", `${HCLOUD}/${kind}?label_selector=${selector}&per_page=50&page=${page}`, token, `Hetzner: listing ${kind}`);
    out.push(...(body[kind] || []));
    page = body.meta && body.meta.pagination ? body.meta.pagination.next_page : null;
  }
  return out;
}

/** Every page of a DigitalOcean list. */
async function digitaloceanList(kind, token) {
  const out = [];
  for (let url = `${DIGITALOCEAN}/v2/${kind}?per_page=200`; url; ) {
    const body = await call("GET", url, token, `DigitalOcean: listing ${kind}`);
    out.push(...(body[kind] || []));
    const next = body.links && body.links.pages && body.links.pages.next;
    url = next ? `${DIGITALOCEAN}${new URL(next).pathname}${new URL(next).search}` : null;
  }
  return out;
}


async function sweep(project, prefix, hostnamePrefix, { dryRun = false, log = console.log } = {}) {
  // A prefix that could match a real stack's or server's name is refused: only staging's.
  for (const [what, value] of [["stack prefix", prefix], ["hostname prefix", hostnamePrefix]]) {
    if (!/^([a-z0-9-]*-)?staging-$/.test(value)) throw new Error(`the ${what} must end in "staging-" (got "${value}")`);
  }
  const removed = [];
  const remove = async (what, method, url, token) => {
    removed.push(what);
    log(`${dryRun ? "would remove" : "removing"} ${what}`);
    if (!dryRun) await call(method, url, token, `removing ${what}`);
  };
  const hcloud = process.env.HCLOUD_TOKEN;
  if (hcloud) {
    for (const s of chooseHcloud(await hcloudList("servers", hcloud, project), project, prefix)) await remove(`Hetzner server ${s.name} (${s.id}, stack ${s.labels.stack})`, "DELETE", `${HCLOUD}/servers/${s.id}`, hcloud);
    for (const f of chooseHcloud(await hcloudList("firewalls", hcloud, project), project, prefix)) await remove(`Hetzner firewall ${f.name} (${f.id})`, "DELETE", `${HCLOUD}/firewalls/${f.id}`, hcloud);
  }
  const digitalocean = process.env.DIGITALOCEAN_TOKEN;
  if (digitalocean) {
    for (const d of chooseDigitalocean(await digitaloceanList("droplets", digitalocean), project, prefix)) await remove(`DigitalOcean droplet ${d.name} (${d.id})`, "DELETE", `${DIGITALOCEAN}/v2/droplets/${d.id}`, digitalocean);
    for (const f of chooseDigitalocean(await digitaloceanList("firewalls", digitalocean), project, prefix)) await remove(`DigitalOcean firewall ${f.name} (${f.id})`, "DELETE", `${DIGITALOCEAN}/v2/firewalls/${f.id}`, digitalocean);
    const tags = (await digitaloceanList("tags", digitalocean)).filter((t) => String(t.name).startsWith(`${project}-${prefix}`));
    for (const t of tags) await remove(`DigitalOcean tag ${t.name}`, "DELETE", `${DIGITALOCEAN}/v2/tags/${encodeURIComponent(t.name)}`, digitalocean);
  }
  if (hasCredentials()) {
    const tailscale = await accessToken();
    const { devices = [] } = await call("GET", `${TAILSCALE}/api/v2/tailnet/-/devices`, tailscale, "Tailscale: listing devices");
    for (const d of chooseDevices(devices, hostnamePrefix)) await remove(`tailnet device ${d.hostname} (${d.id})`, "DELETE", `${TAILSCALE}/api/v2/device/${d.id}`, tailscale);
  }
  return removed;
}

module.exports = { sweep, chooseHcloud, chooseDigitalocean, chooseDevices };

if (require.main === module) {
  const args = process.argv.slice(2).filter((a) => a !== "--dry-run");
  if (args.length !== 3 || !args[1] || !args[2]) {
    console.error("usage: node commands/staging-sweep.js <project> <stack prefix> <hostname prefix> [--dry-run]");
    process.exit(2);
  }
  sweep(args[0], args[1], args[2], { dryRun: process.argv.includes("--dry-run") }).then(
    (removed) => console.log(`staging-sweep: ${removed.length} removed`),
    (err) => {
      console.error(`staging-sweep: ${err.message}`);
      process.exit(1);
    },
  );
}
