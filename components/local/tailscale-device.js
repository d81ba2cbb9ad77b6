#!/usr/bin/env node
// The server's own tailnet device, through the Tailscale API. Run by `pulumi up` on this
// machine (components/tailnetDevice.ts), never on the server.
//
//   node components/local/tailscale-device.js adopt <hostname> <tag,tag> <seconds>
//     Waits for the device the new server registers and prints it as one JSON line
//     ({"id","nodeId","name","address"}). The device is chosen by identity, not by name
//     alone: the hostname, every one of the stack's tags, and registered after this run
//     started (by the API's own clock), newest first. A stale device of the same name
//     (an old server, another stack) is never picked. When the name was taken while the
//     new server joined (it then gets `<hostname>-1`), the device is renamed back.
//   node components/local/tailscale-device.js recorded <hostname> <tag,tag>
//     The command's update (a credential, the helper's path, or the hostname or tags changed
//     while the server stayed; a new server replaces the command instead): prints the
//     recorded device again, so the deployment keeps its address, and changes nothing. A
//     device keeps the name and tags it joined with until its server is rebuilt: said when
//     they differ.
//   node components/local/tailscale-device.js delete-recorded
//     Removes the device that `adopt` printed, read from PULUMI_COMMAND_STDOUT (which
//     pulumi-command sets for a command's delete): the cleanup holds exactly that node.
//   node components/local/tailscale-device.js delete <device id>
//
// Credentials come from the environment only, never the command line:
//   TAILSCALE_API_KEY, or TAILSCALE_OAUTH_CLIENT_ID + TAILSCALE_OAUTH_CLIENT_SECRET;
//   TAILSCALE_BASE_URL overrides https://api.tailscale.com (as for the Tailscale provider).
"use strict";

const { accessToken, base } = require("./tailscale-api");
/** How long before this run's start a device may have registered (the server exists by then). */
const SLACK_MS = 60_000;
const POLL_MS = Number(process.env.OPENCLAW_VPS_POLL_MS || 5000);


async function api(method, path, body) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${await accessToken()}`, ...(body ? { "content-type": "application/json" } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return res;
}

/** Devices that are this server's: name, every tag, registered since `since` (ms); newest first. */
function candidates(devices, hostname, tags, since) {
  return devices
    .filter((d) => d.hostname === hostname)
    .filter((d) => tags.every((t) => (d.tags || []).includes(t)))
    .filter((d) => Date.parse(d.created) >= since - SLACK_MS)
    .sort((a, b) => Date.parse(b.created) - Date.parse(a.created));
}

async function adopt(hostname, tagList, seconds) {
  const tags = tagList.split(",").filter(Boolean);
  if (!/^[a-z0-9-]{1,63}$/.test(hostname) || tags.length === 0 || !(seconds > 0)) {
    console.error("usage: node components/local/tailscale-device.js adopt <hostname> <tag,tag> <seconds>");
    return 2;
  }
  const deadline = Date.now() + seconds * 1000;
  let since;
  for (let attempt = 1; ; attempt++) {
    const res = await api("GET", "/api/v2/tailnet/-/devices?fields=all");
    if (!res.ok) throw new Error(`listing the tailnet's devices failed: HTTP ${res.status}`);
    // The API's clock, not this machine's, decides what is new.
    if (since === undefined) since = Date.parse(res.headers.get("date") || "") || Date.now();
    const devices = (await res.json()).devices || [];
    const found = candidates(devices, hostname, tags, since);
    if (found.length > 0) {
      if (found.length > 1) console.error(`${found.length} new devices named ${hostname}; taking the newest`);
      return finish(found[0], hostname);
    }
    if (Date.now() + POLL_MS > deadline) {
      const stale = devices.filter((d) => d.hostname === hostname).length;
      console.error(
        `no new tailnet device named ${hostname} with tags ${tags.join(",")} appeared in ${seconds} s` +
          (stale > 0 ? ` (${stale} older device(s) of that name were not taken)` : "") +
          ": see the server's console log and `sudo cloud-init status --long` (first boot), and that the auth key is fresh",
      );
      return 1;
    }
    if (attempt === 1) console.error(`waiting for the server's tailnet device ${hostname}…`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

async function finish(device, hostname) {
  let name = device.name || "";
  if (name.split(".")[0] !== hostname) {
    // The name was still held by the device this one replaces: claim it back.
    const res = await api("POST", `/api/v2/device/${device.id}/name`, { name: hostname });
    if (res.ok) {
      console.error(`renamed tailnet device ${name} to ${hostname}`);
      name = [hostname, ...name.split(".").slice(1)].join(".");
    } else {
      console.error(`the tailnet device is called ${name}, and renaming it to ${hostname} failed (HTTP ${res.status}): remove the old ${hostname} in the admin console and rename it`);
    }
  }
  const address = (device.addresses || []).find((a) => a.startsWith("100.")) || (device.addresses || [])[0];
  console.log(JSON.stringify({ id: device.id, nodeId: device.nodeId, name, address }));
  return 0;
}

async function remove(device) {
  if (!device || !/^[A-Za-z0-9]+$/.test(device)) {
    console.error("usage: node components/local/tailscale-device.js delete <device id>");
    return 2;
  }
  const res = await api("DELETE", `/api/v2/device/${device}`);
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

/** The device `adopt` printed (PULUMI_COMMAND_STDOUT: set for a command's update and delete), if any. */
function recordedDevice() {
  const out = (process.env.PULUMI_COMMAND_STDOUT || "").trim().split("\n").pop() || "";
  try {
    const d = JSON.parse(out);
    return d && (d.nodeId || d.id) ? d : undefined;
  } catch {
    return undefined;
  }
}

function recorded() {
  const d = recordedDevice();
  return d && (d.nodeId || d.id);
}

function keepRecorded(hostname) {
  const d = recordedDevice();
  if (!d) {
    console.error("no recorded tailnet device (PULUMI_COMMAND_STDOUT is empty): replace this command to adopt the server's device again (pulumi up --replace <its URN>)");
    return 1;
  }
  const name = String(d.name || "").split(".")[0];
  if (hostname && name && name !== hostname) {
    console.error(`the tailnet device keeps its name ${name} until the server is rebuilt (hostname is now ${hostname})`);
  }
  console.log(JSON.stringify(d));
  return 0;
}

async function main(argv) {
  const [verb, ...rest] = argv;
  switch (verb) {
    case "adopt":
      return adopt(rest[0] || "", rest[1] || "", Number(rest[2]));
    case "recorded":
      return keepRecorded(rest[0] || "");
    case "delete-recorded": {
      const device = recorded();
      if (!device) {
        console.error("no recorded tailnet device (PULUMI_COMMAND_STDOUT is empty): remove the old device in the Tailscale admin console");
        return 1;
      }
      return remove(device);
    }
    case "delete":
      return remove(rest[0]);
    default:
      console.error("usage: node components/local/tailscale-device.js adopt <hostname> <tag,tag> <seconds> | recorded <hostname> <tag,tag> | delete-recorded | delete <device id>");
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(`tailnet device: ${err.message}`);
    process.exit(1);
  },
);
