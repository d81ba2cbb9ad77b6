// OpenSSH client options that accept exactly one host key: the one this stack generated
// and installed on the server (components/hostKey.ts). Used by every script that connects
// from the operator's machine (carry-state.js, `npm run pair`, `npm run verify`) and by the
// rehearsal, so none of them trusts whatever answers at the server's address.
"use strict";
const fs = require("fs");
const path = require("path");

const KEY_LINE = /^(ssh-ed25519|ecdsa-sha2-nistp256|ssh-rsa) ([A-Za-z0-9+/]+={0,2})(?: .*)?$/;

/** The `type base64` of an OpenSSH public key line; throws on anything else. */
function parseHostKey(publicKey) {
  const m = KEY_LINE.exec(String(publicKey ?? "").trim());
  if (!m) throw new Error("the server's host key is missing or not an OpenSSH public key line (ssh-ed25519 AAAA...)");
  return { type: m[1], body: m[2] };
}

/**
 * Writes a known_hosts file naming only `host` with `publicKey` into `dir` (a private
 * temporary directory) and returns the ssh options that use it alone: no other known_hosts
 * file, no prompt, no new key learned, and only that key's algorithm offered.
 */
function pinnedSshOptions(dir, host, publicKey) {
  const { type, body } = parseHostKey(publicKey);
  const file = path.join(dir, "known_hosts");
  fs.writeFileSync(file, `${host} ${type} ${body}\n`, { mode: 0o600 });
  return [
    "-o", `UserKnownHostsFile=${file}`,
    "-o", "GlobalKnownHostsFile=/dev/null",
    "-o", "StrictHostKeyChecking=yes",
    "-o", "CheckHostIP=no",
    "-o", `HostKeyAlgorithms=${type}`,
  ];
}

module.exports = { parseHostKey, pinnedSshOptions };
