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
//
// Whose state it is. <deployment> is one name per deployment (deploymentName in
// components/openclawGateway.ts); releases before it joined project, stack and gateway with
// `-`, a name several deployments could share. So every fetch writes identity.json next to
// the archive: who fetched it (OPENCLAW_VPS_DEPLOYMENT: {project, stack, gateway, former})
// and a hash of the deploy key it fetched with; a fetch recorded before the identity existed
// knows only the key. A restore takes an archive that is certainly this deployment's:
//   - in its own directory: unless its identity names another deployment (an archive with
//     no names there, left by a release before, is restored as it always was);
//   - in the directory of its former name, only while its own does not exist yet (the first
//     restore under the new name): when the identity names this deployment, or holds this
//     deployment's deploy key (a rebuild straight from a state recorded before: the fetch ran
//     by the former name). It is moved into the deployment's own directory, then restored.
//     One that names another deployment is left where it is. One whose owner cannot be told
//     (no identity, or another key: it may be this deployment's after a destroy, or another's
//     that had the same former name) stops the restore, saying how to take it or leave it.
// A fetch never writes over an archive another deployment's identity names.
"use strict";
const crypto = require("crypto");
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

/** A deployment's name: one directory name (`+` joins the parts of names given since the identity). */
const validName = (name) => typeof name === "string" && /^[A-Za-z0-9._+-]{1,255}$/.test(name) && name !== "." && name !== "..";

/** Who runs this command: the names from its environment (absent in a command recorded before), and its deploy key's hash. */
function self() {
  const key = process.env.OPENCLAW_VPS_DEPLOY_KEY;
  const id = {};
  const given = process.env.OPENCLAW_VPS_DEPLOYMENT;
  if (given) {
    const d = JSON.parse(given);
    for (const k of ["project", "stack", "gateway"]) {
      if (typeof d[k] !== "string" || d[k] === "") throw new Error(`OPENCLAW_VPS_DEPLOYMENT has no ${k}`);
      id[k] = d[k];
    }
    if (d.former !== undefined && !validName(d.former)) throw new Error("OPENCLAW_VPS_DEPLOYMENT names no valid former name");
    id.former = d.former;
  }
  // A hash, never the key: enough to tell the same key again.
  if (key) id.deployKey = crypto.createHash("sha256").update(`openclaw-vps carried state\n${key.trim()}`).digest("hex");
  return id;
}

const named = (id) => typeof id.project === "string" && typeof id.stack === "string" && typeof id.gateway === "string";
const who = (id) => (named(id) ? `${id.project}/${id.stack} (gateway ${id.gateway})` : "a deployment whose names were not recorded");

/**
 * Whether two identities are the same deployment: the names decide when both have them; the
 * same deploy key says yes; otherwise (another key, or nothing to compare) it cannot be told.
 */
function sameDeployment(a, b) {
  if (named(a) && named(b)) return a.project === b.project && a.stack === b.stack && a.gateway === b.gateway;
  if (a.deployKey && a.deployKey === b.deployKey) return true;
  return undefined;
}

/** The identity written next to a directory's archive, or undefined (none: fetched by a release before). */
function identityIn(dir) {
  const file = path.join(dir, "identity.json");
  if (!fs.existsSync(file)) return undefined;
  try {
    const id = JSON.parse(fs.readFileSync(file, "utf8"));
    if (id && typeof id === "object") return id;
  } catch {
    // Unreadable: who it is cannot be told, as with none.
  }
  return {};
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
  const me = self();
  const target = path.join(dir, "carried.tar.gz");
  // An archive waiting here for another deployment's restore (a former name it shared): the
  // old server stays, and nothing is written over that archive.
  const waiting = fs.existsSync(target) ? identityIn(dir) : undefined;
  if (waiting && named(waiting) && sameDeployment(waiting, me) !== true) {
    throw new Error(`${target} holds the carried state of ${who(waiting)}, which is not this deployment's: not written over, and the old server is left in place. Move that archive if it is not needed, then run pulumi up again`);
  }
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
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
    const identity = { deployment, project: me.project, stack: me.stack, gateway: me.gateway, deployKey: me.deployKey, fetched: new Date().toISOString() };
    fs.writeFileSync(path.join(dir, "identity.json"), `${JSON.stringify(identity)}\n`, { mode: 0o600 });
    fs.renameSync(partial, target);
    console.log(`carry: the old server's state (${path.basename(archive)}) is in ${target}`);
  }, { allowUnpinned: true });
  return 0;
}

/**
 * The archive to restore, in the deployment's own directory (moved there from its former
 * name's when that is where it waits), or undefined: nothing of this deployment's is carried.
 */
function carriedArchive(deployment, me) {
  const dir = carryDir(deployment);
  const carried = path.join(dir, "carried.tar.gz");
  if (fs.existsSync(carried)) {
    const id = identityIn(dir);
    if (id && sameDeployment(id, me) === false) {
      throw new Error(`${carried} is the carried state of ${who(id)}, not of this deployment: not restored. Move it where that deployment expects it, then run pulumi up again`);
    }
    return carried;
  }
  const former = me.former;
  // The former name's directory is looked at only until this deployment has its own.
  if (!former || former === deployment || fs.existsSync(dir)) return undefined;
  const formerDir = carryDir(former);
  const waiting = path.join(formerDir, "carried.tar.gz");
  if (!fs.existsSync(waiting)) return undefined;
  const id = identityIn(formerDir) ?? {};
  const same = sameDeployment(id, me);
  if (same === false) {
    console.log(`carry: ${waiting} is the carried state of ${who(id)}: left where it is`);
    return undefined;
  }
  if (same === undefined) {
    throw new Error(
      `${waiting} was carried under this deployment's former name ${former}, which another deployment could have had as well${id.fetched ? "" : " (it was fetched before deployments were told apart)"}, and nothing says it is this one's: not restored. ` +
        `If it is this deployment's state: mkdir -m 0700 ${dir} && mv ${waiting} ${dir}/ ; to leave it and start fresh: mkdir -m 0700 ${dir} . Then run pulumi up again`,
    );
  }
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
  fs.renameSync(path.join(formerDir, "identity.json"), path.join(dir, "identity.json"));
  fs.renameSync(waiting, carried);
  console.log(`carry: the state carried under the former name ${former} is this deployment's: moved to ${dir}`);
  return carried;
}

function restoreState(deployment) {
  const dir = carryDir(deployment);
  const me = self();
  const carried = carriedArchive(deployment, me);
  if (!carried) {
    // From now on this deployment's carried state is here: the former name is not looked at again.
    if (me.former) fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
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
  fs.rmSync(path.join(dir, "identity.json"), { force: true });
  console.log(`carry: state restored on the new server; the archive is kept in ${kept}`);
  return 0;
}

function main(argv) {
  const [verb, deployment] = argv;
  if (!validName(deployment) || !["fetch", "restore", "unchanged"].includes(verb)) {
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
