#!/usr/bin/env node
// Carries the gateway's state from a server that is being replaced to its successor, for
// `restoreOnRebuild` (components/gateway.ts). Run by `pulumi up` on this machine.
//
//   node components/local/carry-state.js fetch <deployment>
//     The carry command's delete, which the engine runs before it deletes the old server
//     (a dependent of a delete-before-replace): a backup taken now on the old server, as the
//     daily timer takes it, copied here to ~/.local/state/openclaw-vps/<deployment>/carried.tar.gz
//     (0600 in a 0700 directory). A failure stops the deployment before the old server goes.
//   node components/local/carry-state.js restore <deployment>
//     The carry command's create, on the new server before its configure step: the carried
//     archive is copied there and restored with restore.sh, then kept here as restored-<time>.
//     Nothing carried (a first deployment): nothing to do.
//   node components/local/carry-state.js unchanged <deployment>
//     The carry command's update (the same server, other inputs): does nothing.
//
// The server, the deploy key and the server's host key come from the environment
// (OPENCLAW_VPS_HOST, OPENCLAW_VPS_DEPLOY_KEY, OPENCLAW_VPS_HOST_KEY), never the command line.
// ssh runs with only that key, and accepts only that host key (ssh-pin.js).
"use strict";
const { spawnSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");
const { pinnedSshOptions } = require("./ssh-pin");

const BACKUPS = "/var/backups/openclaw";
const RESTORE = "/usr/local/lib/openclaw-vps/restore.sh";

function carryDir(deployment) {
  const base = process.env.OPENCLAW_VPS_CARRY_DIR || path.join(os.homedir(), ".local", "state", "openclaw-vps");
  return path.join(base, deployment);
}

/** Runs `remote` over ssh as the admin user; stdout to `out` (a file descriptor) or returned. */
function ssh({ keyFile, host, pin }, remote, { input, out } = {}) {
  const r = spawnSync(
    "ssh",
    ["-F", "/dev/null", "-i", keyFile, "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", ...pin, "-o", "LogLevel=ERROR", `ops@${host}`, remote],
    { input, stdio: [input === undefined ? "ignore" : "pipe", out ?? "pipe", "inherit"], encoding: out ? undefined : "utf8", maxBuffer: 1 << 20 },
  );
  if (r.error) throw new Error(`could not run ssh: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`ssh ${host} "${remote}" exited ${r.status}`);
  return typeof r.stdout === "string" ? r.stdout.trim() : "";
}

function withKey(fn, { allowUnpinned = false } = {}) {
  const host = process.env.OPENCLAW_VPS_HOST;
  const key = process.env.OPENCLAW_VPS_DEPLOY_KEY;
  const hostKey = process.env.OPENCLAW_VPS_HOST_KEY;
  if (!host || !key) throw new Error("OPENCLAW_VPS_HOST and OPENCLAW_VPS_DEPLOY_KEY must be set");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "openclaw-vps-carry-"));
  const cleanUp = () => fs.rmSync(dir, { recursive: true, force: true });
  for (const s of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(s, () => (cleanUp(), process.exit(1)));
  try {
    const keyFile = path.join(dir, "deploy-key");
    fs.writeFileSync(keyFile, key, { mode: 0o600 });
    // A fetch from a server deployed before host keys were pinned runs with that server's
    // recorded environment, which has no host key: it is trusted as it always was, and said.
    if (!hostKey && !allowUnpinned) throw new Error("OPENCLAW_VPS_HOST_KEY must be set: the new server's host key is always known");
    if (!hostKey) console.error("carry: no host key recorded for this server (deployed before host-key pinning); its key is not checked");
    const pin = hostKey ? pinnedSshOptions(dir, host, hostKey) : ["-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null"];
    return fn({ keyFile, host, pin });
  } finally {
    cleanUp();
  }
}

function fetchState(deployment) {
  const dir = carryDir(deployment);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
  const target = path.join(dir, "carried.tar.gz");
  withKey((server) => {
    // A backup now, as the daily timer takes it, then the newest archive.
    const archive = ssh(server, `sudo systemctl start openclaw-backup.service && sudo sh -c 'ls -t ${BACKUPS}/*-openclaw-backup.tar.gz | head -n 1'`);
    if (!/^\/var\/backups\/openclaw\/[A-Za-z0-9.:+_-]+-openclaw-backup\.tar\.gz$/.test(archive)) throw new Error(`no backup archive on the old server (got ${JSON.stringify(archive)})`);
    const partial = `${target}.partial`;
    const fd = fs.openSync(partial, "w", 0o600);
    try {
      ssh(server, `sudo cat ${archive}`, { out: fd });
    } finally {
      fs.closeSync(fd);
    }
    if (fs.statSync(partial).size === 0) throw new Error("the copied backup is empty");
    fs.renameSync(partial, target);
    console.log(`carry: the old server's state (${path.basename(archive)}) is in ${target}`);
  }, { allowUnpinned: true });
  return 0;
}

function restoreState(deployment) {
  const dir = carryDir(deployment);
  const carried = path.join(dir, "carried.tar.gz");
  if (!fs.existsSync(carried)) {
    console.log("carry: no state carried over: a first deployment");
    return 0;
  }
  withKey((server) => {
    const remote = `${BACKUPS}/carried-openclaw-backup.tar.gz`;
    ssh(server, `sudo install -d -m 0700 -o openclaw -g openclaw ${BACKUPS} && sudo install -m 0600 -o openclaw -g openclaw /dev/stdin ${remote}`, { input: fs.readFileSync(carried) });
    console.log(ssh(server, `sudo ${RESTORE} ${remote}`));
  });
  const kept = path.join(dir, `restored-${new Date().toISOString().replace(/[:.]/g, "-")}.tar.gz`);
  fs.renameSync(carried, kept);
  console.log(`carry: state restored on the new server; the archive is kept in ${kept}`);
  return 0;
}

function main(argv) {
  const [verb, deployment] = argv;
  if (!deployment || !/^[A-Za-z0-9._-]{1,100}$/.test(deployment) || !["fetch", "restore", "unchanged"].includes(verb)) {
    console.error("usage: node components/local/carry-state.js fetch|restore|unchanged <deployment>");
    return 2;
  }
  if (verb === "unchanged") {
    // The command's update: the same server, other inputs (a rotated deploy key, the helper's
    // path). Nothing leaves or arrives: a restore here would put an old archive over the
    // running gateway's state.
    console.log("carry: the same server: nothing to carry");
    return 0;
  }
  return verb === "fetch" ? fetchState(deployment) : restoreState(deployment);
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (err) {
  console.error(`carry: ${err.message}`);
  process.exitCode = 1;
}
