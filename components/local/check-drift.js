// Runs the server's drift check (gateway/scripts/drift.js) over SSH from the operator's
// machine, for the drift check resource (components/driftCheck.ts), which every `pulumi
// preview` and `pulumi up` asks before it plans. Reads {host, hostKey, privateKey} as JSON on
// stdin (never argv, never the environment); the key goes to a 0600 file in a private
// temporary directory that is removed after. ssh runs with only that key, accepts only the
// pinned host key (ssh-pin.js) and reads no ssh_config (-F /dev/null, no ControlPath: an
// existing master connection could lead elsewhere).
//
// Prints one JSON line: {"status":"clean"} | {"status":"drift","problems":[...]} |
// {"status":"unchecked","reason":"..."}. ssh's own failure (exit 255: no route, a refused or
// changed host key) is `unchecked`; any other failure of the check is drift (it fails closed:
// a missing check or manifest is re-asserted too).
"use strict";
const fs = require("fs");
const os = require("os");
const path = require("path");
const { spawnSync } = require("child_process");
const { pinnedSshOptions } = require("./ssh-pin");

/** The check the server runs, as root, against the manifest the files step installed. */
const REMOTE = "sudo /usr/bin/node /usr/local/lib/openclaw-vps/drift.js check /etc/openclaw-vps/manifest.json";
const SSH_FAILED = 255;

/** The verdict from ssh's result. */
function verdict(r) {
  if (r.error) return { status: "unchecked", reason: `could not run ssh: ${r.error.message}` };
  if (r.status === 0) return { status: "clean" };
  if (r.status === SSH_FAILED || r.status === null) {
    const why = String(r.stderr ?? "").trim().split("\n").pop() || (r.signal ? `ssh was stopped by ${r.signal}` : "ssh failed");
    return { status: "unchecked", reason: why };
  }
  const problems = String(r.stdout ?? "").split("\n").filter(Boolean);
  return { status: "drift", problems: problems.length > 0 ? problems : [`the drift check exited ${r.status}: ${String(r.stderr ?? "").trim().slice(0, 200)}`] };
}

function check({ host, hostKey, privateKey }, { timeoutSeconds = 120 } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "openclaw-vps-drift-"));
  try {
    const keyFile = path.join(dir, "deploy-key");
    fs.writeFileSync(keyFile, privateKey.endsWith("\n") ? privateKey : `${privateKey}\n`, { mode: 0o600 });
    const pin = pinnedSshOptions(dir, host, hostKey);
    const args = [
      "-F", "/dev/null",
      "-o", "ControlPath=none",
      "-i", keyFile,
      "-o", "IdentitiesOnly=yes",
      "-o", "BatchMode=yes",
      "-o", "ConnectTimeout=20",
      ...pin,
      "-o", "LogLevel=ERROR",
      `ops@${host}`,
      REMOTE,
    ];
    return verdict(spawnSync("ssh", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: timeoutSeconds * 1000 }));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

module.exports = { check, verdict, REMOTE };

if (require.main === module) {
  const chunks = [];
  process.stdin.setEncoding("utf8");
  process.stdin.on("data", (d) => chunks.push(d));
  process.stdin.on("end", () => {
    let input;
    try {
      input = JSON.parse(chunks.join(""));
    } catch {
      console.log(JSON.stringify({ status: "unchecked", reason: "check-drift.js: stdin is not JSON" }));
      return;
    }
    let result;
    try {
      result = check(input);
    } catch (e) {
      result = { status: "unchecked", reason: e.message };
    }
    console.log(JSON.stringify(result));
  });
}
